from realtime.live import rt_redis, web  # noqa: F401
