"""The witness: an independent cosigner of checkpoints, served over HTTP."""
