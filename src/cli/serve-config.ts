/**
 * `serve`'s settings from three places besides the defaults, in one order: the command line, then
 * an environment variable per flag (`FAKE_FLUENTD_<FLAG>`, e.g. FAKE_FLUENTD_IDLE_TIMEOUT=10s), then
 * a JSON config file (`--config FILE`, keys as the flags in camelCase: `{"idleTimeout": "10s"}`,
 * schema `schemas/serve-config.schema.json`). Every value goes through the flag's own parser, so
 * the value rules (units on durations, ports, sizes) are the same in all three.
 */
import { readFileSync } from 'node:fs'
import { InvalidArgumentError, type Command, type Option } from 'commander'
import { FakeFluentdError } from '../errors.js'

/** The environment variable of a flag: `--idle-timeout` → FAKE_FLUENTD_IDLE_TIMEOUT, `--no-tls` → FAKE_FLUENTD_NO_TLS. */
export function envVarOf(option: Option): string {
  return `FAKE_FLUENTD_${option.name().replace(/-/g, '_').toUpperCase()}`
}

/**
 * Gives every option of `command` its environment variable, unless it has one. Commander listens
 * for an option's variable only when the option is added with it, so the listener is added here,
 * doing what commander's does: parse with the flag's parser, name the variable on a bad value.
 */
export function addEnvVars(command: Command): void {
  for (const option of command.options) {
    if (option.envVar !== undefined) continue
    option.env(envVarOf(option))
    command.on(`optionEnv:${option.name()}`, (text: string | undefined) => {
      const key = option.attributeName()
      let value: unknown = option.negate ? false : true
      if (text !== undefined) {
        try {
          value = option.parseArg ? option.parseArg(text, command.getOptionValue(key)) : text
          if (option.argChoices && !option.argChoices.includes(text)) throw new InvalidArgumentError(`Allowed choices are ${option.argChoices.join(', ')}.`)
        } catch (err) {
          if (!(err instanceof InvalidArgumentError)) throw err
          command.error(`error: option '${option.flags}' value '${text}' from env '${option.envVar ?? ''}' is invalid. ${err.message}`, { exitCode: 2, code: 'commander.invalidArgument' })
        }
      }
      command.setOptionValueWithSource(key, value, 'env')
    })
  }
}

/** The config-file key of an option (its camelCase name; `tls` for `--no-tls`). */
export function configKeyOf(option: Option): string {
  return option.attributeName()
}

function fail(file: string, message: string): never {
  throw new FakeFluentdError('FF_ERR_OPTION', `--config ${file}: ${message}`)
}

/** A boolean flag (no value): `true`/`false` in the file. */
function isSwitch(option: Option): boolean {
  return !option.required && !option.optional
}

/**
 * Applies the config file named by --config to every option still at its default (the command line
 * and the environment win). Throws FF_ERR_OPTION naming the file and the key for anything wrong.
 */
export function applyConfigFile(command: Command, file: string): void {
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    fail(file, code !== undefined ? `cannot read it (${code})` : `not JSON (${(err as Error).message})`)
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) fail(file, 'must hold a JSON object of settings, e.g. {"port": 9880, "idleTimeout": "10s"}')
  const options = new Map(command.options.filter((o) => o.name() !== 'config').map((o) => [configKeyOf(o), o]))
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (key === '$schema') continue
    const option = options.get(key)
    if (option === undefined) fail(file, `unknown setting "${key}"; the settings are the serve flags in camelCase: ${[...options.keys()].join(', ')}`)
    const source = command.getOptionValueSource(key)
    if (source === 'cli' || source === 'env') continue
    command.setOptionValueWithSource(key, parsed(file, key, option, value), 'config')
  }
}

function parsed(file: string, key: string, option: Option, value: unknown): unknown {
  const flag = option.long ?? key
  if (isSwitch(option)) {
    if (typeof value !== 'boolean') fail(file, `"${key}" (${flag}) takes true or false`)
    // `--no-tls` is the option; its key `tls` holds the setting itself.
    return value
  }
  const values = Array.isArray(value) ? value : [value]
  if (Array.isArray(value) && !option.variadic && !Array.isArray(option.defaultValue)) fail(file, `"${key}" (${flag}) takes one value, not a list`)
  let result: unknown = Array.isArray(option.defaultValue) ? [] : undefined
  for (const v of values) {
    if (typeof v !== 'string' && typeof v !== 'number') fail(file, `"${key}" (${flag}) takes a string or a number`)
    const text = String(v)
    try {
      if (option.argChoices && !option.argChoices.includes(text)) throw new InvalidArgumentError(`use one of ${option.argChoices.join(', ')}.`)
      result = option.parseArg ? option.parseArg(text, result) : text
    } catch (err) {
      fail(file, `"${key}" (${flag}) ${JSON.stringify(v)}: ${(err as Error).message}`)
    }
  }
  return result
}
