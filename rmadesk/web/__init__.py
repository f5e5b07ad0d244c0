"""The web layer the customer portal and the agent console build on."""
