// Small progressive enhancements; every feature works without this file.
