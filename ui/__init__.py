"""Case Auditor desktop app (Qt). Importing this package does not import Qt."""
