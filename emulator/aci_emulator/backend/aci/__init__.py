"""Microsoft.ContainerInstance: container groups, their containers' lives, quota, DNS labels."""
