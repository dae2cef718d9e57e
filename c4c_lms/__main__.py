from c4c_lms.cli.main import cli

cli()
