# bash completion for pgtls(1)                                  -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/pgtls.

_pgtls()
{
    local cur prev words cword cmd opts
    _init_completion || return

    local commands="probe scan exporter store server connections logs clients rotation impostor version help"
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$commands -V --version --help" -- "$cur"))
        return
    fi
    cmd=${words[1]}

    case $prev in
        --rootcert|--targets|--service-file|--new-ca|--old-ca|--ca-cert|--ca-key|--decoy-report|--apps|--password-file|-o|--output)
            _filedir
            return ;;
        --clients|--home)
            _filedir -d
            return ;;
        --mode)
            COMPREPLY=($(compgen -W "forged untrusted-ca no-tls wrong-name expired" -- "$cur"))
            return ;;
        --driver)
            COMPREPLY=($(compgen -W "libpq pgjdbc pgjdbc-nonvalidating" -- "$cur"))
            return ;;
        --negotiation)
            COMPREPLY=($(compgen -W "postgres direct both" -- "$cur"))
            return ;;
        --format)
            case ${words[1]} in
                scan) COMPREPLY=($(compgen -W "table json csv openmetrics" -- "$cur")) ;;
                logs|connections) COMPREPLY=($(compgen -W "text json csv" -- "$cur")) ;;
                *) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
            esac
            return ;;
        --store-format)
            COMPREPLY=($(compgen -W "pem der p12 jks" -- "$cur"))
            return ;;
        --log-format)
            COMPREPLY=($(compgen -W "auto stderr csv json" -- "$cur"))
            return ;;
    esac

    case $cmd in
        probe) opts="--dbname --driver --json --libpq-version --negotiation --quiet --rootcert --rootcert-password --servername --timeout --user --warn-days --help" ;;
        scan) opts="--concurrency --csv --format --json --libpq-version --per-host --quiet --rootcert --service-file --targets --timeout --user --help" ;;
        exporter) opts="--listen --max-concurrent --quiet --rootcert --timeout --user --help" ;;
        store)
            if [[ $cword -eq 2 ]]; then
                COMPREPLY=($(compgen -W "inspect merge verify" -- "$cur"))
                return
            fi
            opts="--drop-expired --dry-run --fingerprint --force --format --store-format --has --in-password --json --password --password-file --quiet -o --help" ;;
        server) opts="--format --json --quiet --timeout --what-if-enforced --help" ;;
        connections) opts="--csv --exclude-user --format --interval --json --quiet --timeout --watch --help" ;;
        logs) opts="--csv --exclude-app --exclude-user --follow --format --log-format --include-pgtls --json --quiet --since --until --help" ;;
        clients) opts="--apps --decoy-report --env --format --home --json --quiet --help" ;;
        rotation) opts="--apps --clients --decoy-report --env --format --home --json --new-ca --new-chain-from --old-ca --quiet --timeout --help" ;;
        impostor) opts="--ca-cert --ca-key --duration --json --like --listen --max-concurrent --max-sessions --mode --name --quiet --session-timeout --help" ;;
        *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        _filedir
    fi
} &&
    complete -F _pgtls pgtls
