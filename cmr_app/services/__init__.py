"""The service layer: the HTML views, the JSON API, the CLI and the jobs all call these."""
