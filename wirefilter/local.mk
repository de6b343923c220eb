# wirefilter (owner: wirefilter)
