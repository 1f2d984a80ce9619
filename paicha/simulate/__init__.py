"""The feed simulator: synthetic screening records pushed to intake as the real feeds would."""
