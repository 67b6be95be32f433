# The browser tests reuse the web engineer's real-server and Chromium fixtures.
from parley.web.tests.browser.conftest import browser, server  # noqa: F401
