"""Statistics (统计分析): distinct enterprises served and tickets by period, district, service
platform, industry and channel, each drilling down to the staff ticket list, with exports.

`queries` counts, `panels` labels the rows and links them, `exports` writes csv and xlsx,
`views` serves the page (supervisors and administrators only).
"""
