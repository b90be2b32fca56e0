# pytester runs small test files in-process, with the installed plugin loaded as in any project.
pytest_plugins = ["pytester"]
