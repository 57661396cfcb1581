const [command] = process.argv.slice(2)
process.stderr.write(`cutover: '${command ?? ''}' is not implemented yet\n`)
process.exit(2)
