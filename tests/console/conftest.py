from realtime.live import fresh_presence, rt_redis, web  # noqa: F401
