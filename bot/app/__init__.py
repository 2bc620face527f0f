"""What a running legalbot is beyond its channels: the runtime (`runtime.Runtime`) with intent
reloading (`reload`), cross-worker knowledge sync (`knowledge_sync`) and retention."""
