"""The build: sources -> checks -> inferences -> a fresh store generation, swapped in atomically."""
