from portero.cli.main import app

app(prog_name="portero")
