"""Accord's release version and the version of the plugin API it offers."""

__version__ = "0.1.0"

# The hook API has its own version: plugins declare the range of it they
# support, so an Accord release that keeps the hooks stable breaks nobody.
CORE_API = "1.2"  # 1.1: register_setup_steps, check_instance; 1.2: check_plugin_settings
