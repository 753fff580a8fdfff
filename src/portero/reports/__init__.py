"""What a partner's rounds add up to: the daily GGR report (API, CLI) and its series."""
