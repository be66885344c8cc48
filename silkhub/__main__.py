from silkhub.cli.main import main

main()
