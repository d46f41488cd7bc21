"""BDP Search: the ``bdp`` command line."""
