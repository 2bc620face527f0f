"""Admin work over the inquiry log: export, statistics, charts and reports, the review queue, retention.

Plain functions over an `InquiryStore`, so the command line and the Telegram admin commands call
the same code and only format the results differently.
"""
