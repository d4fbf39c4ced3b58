"""Charts: a picture beside the text where a person would rather look than read.

Handlers attach a chart *spec* (:mod:`bot.charts.specs`: plain, hashable data taken from the same
objects the text is written from) to a reply; the core's :class:`bot.charts.service.ChartService`
renders it with matplotlib off the event loop and caches it by what it draws. Only
:mod:`bot.charts.draw` imports matplotlib, and it runs in a worker process.
"""
