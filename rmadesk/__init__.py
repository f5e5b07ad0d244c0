"""rmadesk: a support, warranty and RMA desk that runs a hardware vendor's policy exactly."""

__version__ = "0.1.0.dev0"
