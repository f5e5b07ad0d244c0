"""What every web page shares: the page guards, the base template and the login pages, the
stylesheet and scripts, the template helpers, the viewer's time zone, `/` and the health checks.

The portal and the console build on it; it imports neither of them, nor the API.
"""
