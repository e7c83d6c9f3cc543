"""The tamper-evident traceability log (服务追溯): sealing, checkpoints, verification, export."""
