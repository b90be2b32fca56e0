"""Azure Resource Manager itself: subscriptions, resource providers, resource groups."""
