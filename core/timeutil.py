"""Time zone of the people using the dashboard."""
from datetime import timedelta, timezone

# China keeps one offset all year, so a fixed zone needs no tz database on the server.
CHINA_TZ = timezone(timedelta(hours=8), "北京时间")
