"""The build engine: plan, incremental state, parallel build, release."""
