"""Time zone of the people using the dashboard."""
from datetime import date, datetime, timedelta, timezone

# China keeps one offset all year, so a fixed zone needs no tz database on the server.
CHINA_TZ = timezone(timedelta(hours=8), "北京时间")


def today_beijing() -> date:
    """Today's date where the officials are: after 16:00 UTC it is already tomorrow in Beijing, so the
    server's own date (often UTC) would leave the newest audit rows and deadlines a day behind."""
    return datetime.now(CHINA_TZ).date()
