"""A run pays for what it runs: the code server records a run plan (``plan``), and a run worker
or step process builds only its run's assets and job from it (``worker``, ``location``)."""
