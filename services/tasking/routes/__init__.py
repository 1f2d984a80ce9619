"""tasking's HTTP routes: tasks and tests for workers and supervisors, grids and tokens for the
admin."""
