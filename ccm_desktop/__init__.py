"""CCM Desktop: offline Medicare Chronic Care Management for small practices.

Everything below this package except ``ccm_desktop.ui`` is Qt-free.
"""

__version__ = "0.1.0"
APP_NAME = "CCM Desktop"
