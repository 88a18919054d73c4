"""Nothing: what the engine and the Python runtime cost by themselves."""
