# Matches, ledsagelse and opfølgning arrive with the brobygning journey.
