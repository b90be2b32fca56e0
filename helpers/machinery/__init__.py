"""The machinery behind the helpers a learner reads: settings and where each came from, the
setup cell's view, display of container groups, waiting with progress, the HTTP view, advice
on errors, the one clock of a run's outputs, and the sweeper of leftovers."""
