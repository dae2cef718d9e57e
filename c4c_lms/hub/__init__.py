"""Hosting a cohort on JupyterHub: accounts, sign-in links, hub configuration, k8s values."""
