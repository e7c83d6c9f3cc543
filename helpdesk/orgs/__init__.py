"""Organisations: the service centre, workstations, contact points, providers (issue 13)."""
