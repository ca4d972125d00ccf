"""One job in its sandbox: the bubblewrap plan, the launcher, cgroups, and the executor inside."""
