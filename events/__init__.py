"""The live programme: sites, recurring sessions and their occurrences, pages, iCal and YAML."""
