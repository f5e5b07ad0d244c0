"""Staff notifications: who on the vendor's staff hears of what, in the app and by mail."""
