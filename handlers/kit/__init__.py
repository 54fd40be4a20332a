"""What every feature shares: the turn context, the message catalog, dates and times as people
read them, quiet hours and timing, deferred files, workbooks, the main menu.
"""
