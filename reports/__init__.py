"""What the programme learns: feedback forms and results, minutes and decision records, the
service-time dashboard and the annual report."""
