from bot.core.normalise import clean_text, normalise, segment_pinyin


def test_traditional_fullwidth_case_punctuation_and_emoji_are_folded():
    assert clean_text("請問ＡＢＣ調解！！😭  複議？") == "请问abc调解复议"


def test_spaces_between_chinese_characters_are_dropped_but_english_words_stay_apart():
    assert clean_text("邻 居  吵 架") == "邻居吵架"
    assert clean_text("Legal   Aid!") == "legal aid"


def test_chongqing_dialect_words_become_mandarin():
    assert clean_text("老板不给钱啷个办") == "老板不给钱怎么办"
    assert clean_text("莫得钱请律师") == "没有钱请律师"


def test_homophone_typo_sounds_like_the_intended_word():
    assert normalise("法律援注").sounds == normalise("法律援助").sounds
    assert normalise("行政复艺").sounds == normalise("行政复议").sounds


def test_typed_pinyin_sounds_like_the_characters():
    assert normalise("falv yuanzhu").sounds == normalise("法律援助").sounds
    assert normalise("falvyuanzhu").sounds == normalise("法律援助").sounds
    assert normalise("flu yuanzhu").sounds != normalise("法律援助").sounds
    assert normalise("renmin tiaojie").sounds == normalise("人民调解").sounds  # 调 read as in 调解


def test_pinyin_segmentation_backtracks_and_rejects_english():
    assert segment_pinyin("xianzai") == ["xian", "zai"]
    assert segment_pinyin("gongzheng") == ["gong", "zheng"]
    assert segment_pinyin("hello") is None


def test_empty_and_noise_only_input():
    assert normalise("").is_empty
    assert normalise("？？？!!! 😭😭").is_empty
