"""HTTP: parse requests, check tokens, call the backend, render ARM and Entra ID wire shapes."""
