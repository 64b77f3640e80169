# Bad input, one row each: the call that gets it, the stable error id and category it must produce,
# its target object, an error text free of secrets, and a vault (or vault folder) that is exactly
# as it was. A row may allow a named observation that a refused attempt legitimately records (an
# audit entry of the failure, a status learned from the target), and says why. Names with quotes,
# semicolons, right-to-left marks, spaces and non-ASCII letters must work, and do.

BeforeDiscovery {
    # Each row names only the columns it uses; the others get their defaults here, since strict
    # mode refuses a variable that was never set.
    function Complete-Row([hashtable] $Defaults, [hashtable[]] $Rows) {
        foreach ($row in $Rows) {
            $full = $Defaults.Clone()
            foreach ($key in $row.Keys) { $full[$key] = $row[$key] }
            $full
        }
    }

    $long = 10000
    $script:nameRows = foreach ($kind in 'target', 'user', 'policy') {
        foreach ($case in @(
                @{ What = 'a NUL'; Name = "bad`0name"; Shown = 'bad\0name' }
                @{ What = 'a CR'; Name = "bad`rname"; Shown = 'bad\rname' }
                @{ What = 'an LF'; Name = "bad`nname"; Shown = 'bad\nname' }
                @{ What = "$long characters"; Name = 'n' * $long; Shown = ('n' * 64) + '...' }
            )) {
            @{ Kind = $kind; What = $case.What; Name = $case.Name; Shown = $case.Shown }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Targets/SshTargets.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    # One target for every row: it refuses passwords shorter than 12 characters in passwd. bob's
    # password there is not the one the vault holds.
    $script:sshd = Start-SshTarget -PasswordMinLength 12
    $script:secrets = [ordered]@{
        Alice         = 'Alice-Start-Passw0rd-1'
        BobOnTarget   = 'Bob-Real-Passw0rd-2'
        BobInVault    = 'Bob-Stale-Passw0rd-3'
        Carol         = 'Carol-Passw0rd-4'
        Dave          = 'Dave-Passw0rd-5'
        Erin          = 'Erin-Passw0rd-6'
        VaultPhrase   = 'vault passphrase 7 of the template'
        KeyPhrase     = 'key passphrase 8 right'
        WrongKey      = 'key passphrase 9 wrong'
        WrongVault    = 'vault passphrase 10 wrong'
        TooShort      = 'Sh0rt-x11'
        WithLineBreak = "Line-Break`n-Passw0rd-12"
    }
    $null = New-SshTargetUser $sshd alice $secrets.Alice
    $null = New-SshTargetUser $sshd bob $secrets.BobOnTarget

    $templates = Join-Path $TestDrive 'templates'
    $null = New-Item -ItemType Directory -Path $templates
    $script:keyFiles = [pscustomobject]@{
        Malformed = Join-Path $templates 'id_malformed'
        Encrypted = Join-Path $templates 'id_encrypted'
        Weak      = Join-Path $templates 'id_weak_rsa'
    }
    "-----BEGIN OPENSSH PRIVATE KEY-----`nbm90IGEga2V5IGF0IGFsbA==`n-----END OPENSSH PRIVATE KEY-----" |
        Set-Content -LiteralPath $keyFiles.Malformed
    ssh-keygen -q -t ed25519 -N $secrets.KeyPhrase -f $keyFiles.Encrypted
    ssh-keygen -q -t rsa -b 1024 -N '' -f $keyFiles.Weak

    # The template every key-file row starts from, copied fresh for each row. Its key file stays
    # where it is: the copies name it by its full path.
    $live = Join-Path $templates 'live.db'
    $null = New-PMVault -Path $live
    $null = New-PMTarget web01 $sshd.Address -Port $sshd.Port
    $null = Test-PMTarget web01 -TrustHostKey -Confirm:$false
    $null = New-PMAccount web01 alice -Password (ConvertTo-TestSecureString $secrets.Alice)
    $null = New-PMAccount web01 bob -Password (ConvertTo-TestSecureString $secrets.BobInVault)
    $null = New-PMAccount web01 erin -Password (ConvertTo-TestSecureString $secrets.Erin)
    foreach ($type in 'ssh-ed25519', 'ssh-rsa') {
        $null = New-PMCredential -Target web01 -UserName erin -CredentialType SshKey -SshKeyType $type `
            -ChangeOnTarget:$false
    }
    $null = Test-PMCredential web01 alice
    $null = New-PMTarget dead 127.0.0.1 -Port 1 -HostKeyFingerprint ('SHA256:' + 'A' * 43)
    $null = New-PMAccount dead carol -Password (ConvertTo-TestSecureString $secrets.Carol)
    $null = New-PMTarget nowhere host.does-not-exist.invalid -HostKeyFingerprint ('SHA256:' + 'B' * 43)
    $null = New-PMAccount nowhere dave -Password (ConvertTo-TestSecureString $secrets.Dave)
    $null = New-PMPolicy web -PasswordLength 24
    $script:keyFileTemplate = Join-Path $templates 'keyfile.db'
    $null = Backup-PMVault -Destination $keyFileTemplate -WarningAction SilentlyContinue
    $script:templateKeyFile = Invoke-VaultSql $keyFileTemplate 'SELECT key_file FROM vault'

    $livePhrase = Join-Path $templates 'live-passphrase.db'
    $phrase = ConvertTo-TestSecureString $secrets.VaultPhrase
    $null = New-PMVault -Path $livePhrase -Protection Passphrase -Passphrase $phrase
    $script:passphraseTemplate = Join-Path $templates 'passphrase.db'
    $null = Backup-PMVault -Destination $passphraseTemplate

    function New-RowContext([string] $Vault) {
        # A folder of the row's own with a fresh copy of a template; a key-file copy is unlocked in
        # this session, so the row's commands work on it.
        $folder = Join-Path $TestDrive ([guid]::NewGuid())
        $null = New-Item -ItemType Directory -Path $folder
        $context = [pscustomobject]@{
            Folder   = $folder
            Vault    = Join-Path $folder 'vault.db'
            Target   = $sshd
            KeyFiles = $keyFiles
            Secrets  = $secrets
            KeyFile  = $templateKeyFile
        }
        switch ($Vault) {
            'KeyFile' {
                Copy-Item -LiteralPath $keyFileTemplate -Destination $context.Vault
                $null = Unlock-PMVault -Path $context.Vault
            }
            'Passphrase' { Copy-Item -LiteralPath $passphraseTemplate -Destination $context.Vault }
            'KeyFileLocked' { Copy-Item -LiteralPath $keyFileTemplate -Destination $context.Vault }
        }
        $context
    }

    function Get-VaultDump([string] $Path) {
        # Every column of every row of every table, as an SQL literal, keyed table#rowid.column,
        # with the schema and the file's identity: two dumps are equal only if the content is.
        # Three queries, whatever the schema, because each one opens the file anew.
        $dump = [ordered]@{}
        $dump['identity'] = Invoke-VaultSql $Path ('SELECT a.application_id, u.user_version ' +
            'FROM pragma_application_id a, pragma_user_version u')
        $layout = @(Invoke-VaultSql $Path ("SELECT m.name, p.name, m.sql FROM sqlite_master m, " +
                "pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid"))
        $dump['schema'] = $layout -join "`n"
        $tables = [ordered]@{}
        foreach ($line in $layout) {
            $table, $column, $null = $line -split '\|', 3
            if (-not $tables.Contains($table)) { $tables[$table] = [Collections.Generic.List[string]]::new() }
            $tables[$table].Add($column)
        }
        $selects = foreach ($table in $tables.Keys) {
            $cells = ($tables[$table] | ForEach-Object { "quote(""$_"")" }) -join ', '
            "SELECT '$table', rowid, json_array($cells) FROM ""$table"""
        }
        foreach ($row in Invoke-VaultSql $Path (($selects -join ' UNION ALL ') + ' ORDER BY 1, 2')) {
            $table, $rowid, $json = $row -split '\|', 3
            $values = ConvertFrom-Json $json -NoEnumerate
            $columns = $tables[$table]
            for ($i = 0; $i -lt $columns.Count; $i++) { $dump["$table#$rowid.$($columns[$i])"] = $values[$i] }
        }
        $dump
    }

    function Get-FolderState([string] $Folder, [string] $Except) {
        # For the rows about files: which files there are, and every byte of each.
        $files = Get-ChildItem -LiteralPath $Folder -Force | Where-Object { -not $Except -or $_.Name -notlike $Except }
        foreach ($file in $files | Sort-Object Name) {
            "$($file.Name) $($file.Length) $((Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256).Hash)"
        }
    }

    function Compare-VaultDump($Before, $After) {
        $keys = @(@($Before.Keys) + @($After.Keys) | Select-Object -Unique)
        foreach ($key in $keys) {
            $old = if ($Before.Contains($key)) { $Before[$key] } else { '(none)' }
            $new = if ($After.Contains($key)) { $After[$key] } else { '(none)' }
            if ($old -cne $new) {
                $table, $rest = $key -split '#', 2
                $row = ($rest -split '\.')[0]
                [pscustomobject]@{ Key = $key; Table = $table; Row = $row; Before = $old; After = $new }
            }
        }
    }

    function Get-AccountId($Dump, [string] $Account) {
        $targetName, $userName = $Account -split '/', 2
        $targetRow = $Dump.Keys | Where-Object { $_ -like 'targets#*.name' -and $Dump[$_] -ceq "'$targetName'" }
        $targetId = $Dump[$targetRow -replace '\.name$', '.id']
        $accountRow = $Dump.Keys | Where-Object {
            $_ -like 'accounts#*.user_name' -and $Dump[$_] -ceq "'$userName'" -and
            $Dump[$_ -replace '\.user_name$', '.target_id'] -ceq $targetId
        }
        $Dump[$accountRow -replace '\.user_name$', '.id']
    }

    function Assert-OnlyAllowedChange($Before, $After, [hashtable] $Allow, [string] $ErrorId) {
        $changes = @(Compare-VaultDump $Before $After)

        # An audit entry of the refused attempt: appended to the chain, with the head moved on.
        $audit = @($changes | Where-Object { $_.Table -eq 'audit_log' -and $_.Before -eq '(none)' })
        $actions = @($audit | Where-Object Key -Like '*.action' | ForEach-Object { $_.After.Trim("'") })
        $actions | Should -Be @($Allow['Audit'] | Where-Object { $_ }) `
            -Because 'only the named audit entries may be added'
        foreach ($entry in $audit | Where-Object Key -Like '*.error_id') { $entry.After | Should -Be "'$ErrorId'" }
        $changes = $changes | Where-Object { $_ -notin $audit }
        if ($Allow['Audit']) { $changes = $changes | Where-Object Table -NE 'audit_head' }

        # A status learned from the target: the account's and its credentials' status columns only.
        if ($Allow['Status']) {
            $accountId = Get-AccountId $After $Allow['Status'].Account
            $learned = @($changes | Where-Object {
                    $owner = if ($_.Table -eq 'accounts') { $After["accounts#$($_.Row).id"] }
                    elseif ($_.Table -eq 'credentials') { $After["credentials#$($_.Row).account_id"] }
                    $owner -ceq $accountId -and ($_.Key -split '\.')[-1] -in 'status', 'modified_utc', 'verified_utc'
                })
            $idKey = $After.Keys | Where-Object { $_ -like 'accounts#*.id' -and $After[$_] -ceq $accountId }
            $statusKey = $idKey -replace '\.id$', '.status'
            $After[$statusKey] | Should -BeExactly "'$($Allow['Status'].Value)'" `
                -Because 'the status is what was learned'
            $changes = $changes | Where-Object { $_ -notin $learned }
        }

        @($changes | ForEach-Object { "$($_.Key): $($_.Before) -> $($_.After)" }) | Should -BeNullOrEmpty
    }

    function Invoke-Refused([scriptblock] $Call, $Context) {
        # Every error is made terminating, so the first one the call writes is the row's; a call
        # that writes none fails the row.
        $ErrorActionPreference = 'Stop'
        try {
            $null = & $Call $Context
        }
        catch {
            return $_
        }
        throw 'The call succeeded; it should have been refused.'
    }

    function Assert-NoSecret([System.Management.Automation.ErrorRecord] $Failure) {
        $text = ($Failure | Out-String) + $Failure.Exception.ToString() + "$($Failure.ErrorDetails)"
        foreach ($name in $secrets.Keys) {
            $text.Contains($secrets[$name]) | Should -BeFalse -Because "the error text must not hold the $name secret"
        }
    }
}

AfterAll {
    Stop-SshTarget -All
}

Describe 'Bad input gets a stable error id and changes nothing' {
    $optional = @{ Target = $null; Prepare = $null; Says = $null; Login = $null; Tamper = $false; Allow = @{} }
    It '<Case>: <ErrorId>' -ForEach (Complete-Row $optional @(
        # Impossible policies.
        @{ Case = 'character-class minimums past the length'; ErrorId = 'InvalidPolicy'; Category = 'InvalidArgument'
            Target = 'strict'; Says = 'add up'
            Call = { New-PMPolicy strict -PasswordLength 16 -MinUpperCase 10 -MinDigit 10 } }
        @{ Case = 'a password length above the limit'; ErrorId = 'InvalidPolicy'; Category = 'InvalidArgument'
            Target = 'long'; Says = 'PasswordLength'; Call = { New-PMPolicy long -PasswordLength 100000 } }
        @{ Case = 'a password length below the minimum'; ErrorId = 'InvalidPolicy'; Category = 'InvalidArgument'
            Target = 'short'; Says = 'PasswordLength'; Call = { New-PMPolicy short -PasswordLength 3 } }
        @{ Case = 'every character forbidden, no class asked for'; ErrorId = 'InvalidPolicy'
            Category = 'InvalidArgument'; Target = 'none'; Says = 'no character'; Call = {
                $all = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!"#$%&''()*+,-./:;<=>?@[\]^_`{|}~'
                New-PMPolicy none -MinUpperCase 0 -MinLowerCase 0 -MinDigit 0 -MinSpecial 0 -ForbiddenCharacters $all
            } }
        @{ Case = 'special characters asked for, none to draw from'; ErrorId = 'InvalidPolicy'
            Category = 'InvalidArgument'; Target = 'nospecial'; Says = 'MinSpecial'
            Call = { New-PMPolicy nospecial -SpecialCharacters '' } }
        @{ Case = 'letters as special characters'; ErrorId = 'InvalidPolicy'; Category = 'InvalidArgument'
            Target = 'letters'; Says = 'SpecialCharacters'; Call = { New-PMPolicy letters -SpecialCharacters 'abc' } }
        @{ Case = 'a negative minimum'; ErrorId = 'InvalidPolicy'; Category = 'InvalidArgument'
            Target = 'negative'; Says = 'negative'; Call = { New-PMPolicy negative -MinDigit -1 } }
        @{ Case = 'a PIN length above the limit'; ErrorId = 'InvalidPolicy'; Category = 'InvalidArgument'
            Target = 'pin'; Says = 'PinLength'; Call = { New-PMPolicy pin -PinLength 65 } }
        @{ Case = 'a history above the limit'; ErrorId = 'InvalidPolicy'; Category = 'InvalidArgument'
            Target = 'history'; Says = 'History'; Call = { New-PMPolicy history -History 101 } }
        @{ Case = 'an RSA key size above the limit'; ErrorId = 'InvalidPolicy'; Category = 'InvalidArgument'
            Target = 'rsa'; Says = 'RsaKeySize'; Call = { New-PMPolicy rsa -RsaKeySize 16384 } }
        @{ Case = 'an unknown key type in a policy'; ErrorId = 'InvalidPolicy'; Category = 'InvalidArgument'
            Target = 'keys'; Says = 'SshKeyType'; Call = { New-PMPolicy keys -SshKeyType ssh-rsa1 } }
        @{ Case = 'an existing policy changed to the impossible'; ErrorId = 'InvalidPolicy'
            Category = 'InvalidArgument'; Target = 'web'; Says = 'PasswordLength'
            Call = { Set-PMPolicy web -PasswordLength 2 } }

        # Unknown credential and key types.
        @{ Case = 'an unknown credential type'; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'
            Target = $null; Call = { Reset-PMCredential web01 alice -CredentialType Certificate -Generate -Force } }
        @{ Case = 'an unknown key type to reset'; ErrorId = 'InvalidArgument'; Category = 'InvalidArgument'
            Target = 'ssh-rsa1'; Call = {
                Reset-PMCredential web01 erin -CredentialType SshKey -SshKeyType ssh-rsa1 -Generate -Force
            } }
        @{ Case = 'an unknown key type to add'; ErrorId = 'InvalidArgument'; Category = 'InvalidArgument'
            Target = 'ssh-rsa1'; Call = {
                New-PMCredential -Target web01 -UserName alice SshKey -SshKeyType ssh-rsa1 -ChangeOnTarget:$false
            } }

        # What does not exist.
        @{ Case = 'a PIN the account does not hold'; ErrorId = 'CredentialNotFound'; Category = 'ObjectNotFound'
            Target = 'web01/alice'; Call = { Get-PMCredential web01 alice -CredentialType Pin -Reason 'bad input' } }
        @{ Case = 'an SSH key the account does not hold'; ErrorId = 'CredentialNotFound'; Category = 'ObjectNotFound'
            Target = 'web01/alice'; Call = {
                Reset-PMCredential web01 alice -CredentialType SshKey -SshKeyType ssh-ed25519 -Generate -Force
            } }
        @{ Case = 'a target that does not exist'; ErrorId = 'TargetNotFound'; Category = 'ObjectNotFound'
            Target = 'web99'; Call = { Reset-PMCredential web99 alice -Generate -Force } }
        @{ Case = 'an account that does not exist'; ErrorId = 'AccountNotFound'; Category = 'ObjectNotFound'
            Target = 'web01/mallory'; Call = { Reset-PMCredential web01 mallory -Generate -Force } }
        @{ Case = 'a reconcile account that does not exist'; ErrorId = 'ReconcileAccountNotFound'
            Category = 'ObjectNotFound'; Target = 'root'; Call = { Set-PMAccount web01 alice -ReconcileAccount root } }
        @{ Case = 'a version that does not exist'; ErrorId = 'VersionNotFound'; Category = 'ObjectNotFound'
            Target = 99; Call = { Get-PMCredential web01 alice -Version 99 -Reason 'bad input' } }

        # Targets that cannot be reached: nothing is sent, so nothing is learned.
        @{ Case = 'a loopback port where nothing listens'; ErrorId = 'TargetUnreachable'
            Category = 'ResourceUnavailable'; Target = 'dead'
            Call = { Reset-PMCredential dead carol -Generate -Force } }
        @{ Case = 'a loopback port where nothing listens, tested'; ErrorId = 'TargetUnreachable'
            Category = 'ResourceUnavailable'; Target = 'dead'; Call = { Test-PMCredential dead carol } }
        @{ Case = 'a host name that does not resolve'; ErrorId = 'TargetUnreachable'; Category = 'ResourceUnavailable'
            Target = 'nowhere'; Call = { Reset-PMCredential nowhere dave -Generate -Force } }
        @{ Case = 'a host name that does not resolve, probed'; ErrorId = 'TargetUnreachable'
            Category = 'ResourceUnavailable'; Target = 'nowhere'; Call = { Test-PMTarget nowhere } }

        # The real target says no.
        @{ Case = 'a wrong current password on the target'; ErrorId = 'ReconcileAccountRequired'
            Category = 'InvalidOperation'; Target = 'web01/bob'
            Call = { Reset-PMCredential web01 bob -Generate -Force }
            # Observations, not changes: the refused login taught the vault that its password does not
            # open the target (NotInSync), and the audit log records the attempt. The password is kept.
            Allow = @{ Audit = 'CredentialResetFailed'; Status = @{ Account = 'web01/bob'; Value = 'NotInSync' } }
            Login = @{ UserName = 'bob'; Secret = 'BobOnTarget' } }
        @{ Case = 'a new password the target refuses'; ErrorId = 'PasswordRefused'; Category = 'InvalidArgument'
            Target = 'web01/alice'; Call = {
                param($c)
                Reset-PMCredential web01 alice -NewCredential (ConvertTo-TestSecureString $c.Secrets.TooShort) -Force
            }
            # An observation, not a change: the audit log records the refused attempt. The pending value
            # stored before the target was touched is taken back, and the password is kept.
            Allow = @{ Audit = 'CredentialResetFailed' }; Login = @{ UserName = 'alice'; Secret = 'Alice' } }
        @{ Case = 'a new password with a line break'; ErrorId = 'InvalidArgument'; Category = 'InvalidArgument'
            Target = '-NewCredential'; Call = {
                param($c)
                $value = ConvertTo-TestSecureString $c.Secrets.WithLineBreak
                Reset-PMCredential web01 alice -NewCredential $value -Force
            }
            Login = @{ UserName = 'alice'; Secret = 'Alice' } }

        # Private key files.
        @{ Case = 'a malformed private key file'; ErrorId = 'MalformedPrivateKey'; Category = 'InvalidData'
            Target = { param($c) $c.KeyFiles.Malformed }; Call = {
                param($c)
                New-PMCredential -Target web01 -UserName alice SshKey -PrivateKeyPath $c.KeyFiles.Malformed `
                    -ChangeOnTarget:$false
            } }
        @{ Case = 'a malformed private key file to reset'; ErrorId = 'MalformedPrivateKey'; Category = 'InvalidData'
            Target = { param($c) $c.KeyFiles.Malformed }; Call = {
                param($c)
                Reset-PMCredential web01 erin -CredentialType SshKey -SshKeyType ssh-ed25519 `
                    -PrivateKeyPath $c.KeyFiles.Malformed -ChangeOnTarget:$false -Force
            } }
        @{ Case = 'an encrypted key without its passphrase'; ErrorId = 'KeyPassphraseRequired'
            Category = 'InvalidArgument'; Target = { param($c) $c.KeyFiles.Encrypted }; Call = {
                param($c)
                New-PMCredential -Target web01 -UserName alice SshKey -PrivateKeyPath $c.KeyFiles.Encrypted `
                    -ChangeOnTarget:$false
            } }
        @{ Case = 'an encrypted key with a wrong passphrase'; ErrorId = 'WrongKeyPassphrase'
            Category = 'AuthenticationError'; Target = { param($c) $c.KeyFiles.Encrypted }; Call = {
                param($c)
                New-PMCredential -Target web01 -UserName alice SshKey -PrivateKeyPath $c.KeyFiles.Encrypted `
                    -KeyPassphrase (ConvertTo-TestSecureString $c.Secrets.WrongKey) -ChangeOnTarget:$false
            } }

        @{ Case = 'a 1024-bit RSA key added'; ErrorId = 'KeyTooWeak'; Category = 'InvalidArgument'
            Target = 'web01/alice'; Says = '1024 bits'; Call = {
                param($c)
                New-PMCredential -Target web01 -UserName alice SshKey -PrivateKeyPath $c.KeyFiles.Weak `
                    -ChangeOnTarget:$false
            } }
        @{ Case = 'a 1024-bit RSA key to reset to'; ErrorId = 'KeyTooWeak'; Category = 'InvalidArgument'
            Target = 'web01/erin'; Says = '1024 bits'; Call = {
                param($c)
                Reset-PMCredential web01 erin -CredentialType SshKey -SshKeyType ssh-rsa `
                    -PrivateKeyPath $c.KeyFiles.Weak -ChangeOnTarget:$false -Force
            } }

        # Other values the binder or the engine refuses.
        @{ Case = 'a throttle limit of 0'; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData'
            Target = $null; Call = { Get-PMAccount web01 | Reset-PMCredential -Generate -Force -ThrottleLimit 0 } }
        @{ Case = 'a port above 65535'; ErrorId = 'InvalidArgument'; Category = 'InvalidArgument'
            Target = 70000; Call = { New-PMTarget web02 web02.example.test -Port 70000 } }
        @{ Case = 'a host name with a space and a semicolon'; ErrorId = 'InvalidName'; Category = 'InvalidArgument'
            Target = 'web02; reboot'; Call = { New-PMTarget web02 'web02; reboot' } }
        @{ Case = 'an MD5 host key fingerprint'; ErrorId = 'InvalidHostKeyFingerprint'; Category = 'InvalidArgument'
            Target = 'MD5:00:11:22'; Call = { Set-PMTarget web01 -HostKeyFingerprint 'MD5:00:11:22' } }
        @{ Case = 'a target renamed to a name with an LF'; ErrorId = 'InvalidName'; Category = 'InvalidArgument'
            Target = 'web\n01'; Call = { Set-PMTarget web01 -NewName "web`n01" } }

        # Names taken, records in use.
        @{ Case = 'a target name taken in another case'; ErrorId = 'TargetExists'; Category = 'ResourceExists'
            Target = 'WEB01'; Call = { New-PMTarget WEB01 web02.example.test } }
        @{ Case = 'a user name taken in another case'; ErrorId = 'AccountExists'; Category = 'ResourceExists'
            Target = 'web01/ALICE'; Call = { New-PMAccount web01 ALICE } }
        @{ Case = 'a policy that does not exist'; ErrorId = 'PolicyNotFound'; Category = 'ObjectNotFound'
            Target = 'nosuch'; Call = { New-PMAccount web01 frank -Policy nosuch } }
        @{ Case = 'the Default policy removed'; ErrorId = 'PolicyInUse'; Category = 'InvalidOperation'
            Target = 'Default'; Call = { Remove-PMPolicy Default -Confirm:$false } }
        @{ Case = 'a target with accounts removed'; ErrorId = 'TargetHasAccounts'; Category = 'InvalidOperation'
            Target = 'web01'; Call = { Remove-PMTarget web01 -Confirm:$false } }

        # Files that exist already, paths that name no file.
        @{ Case = 'a private key written over a file'; ErrorId = 'OutFileExists'; Category = 'ResourceExists'
            Prepare = { param($c) 'not to be replaced' | Set-Content -LiteralPath (Join-Path $c.Folder 'id_out') }
            Target = { param($c) Join-Path $c.Folder 'id_out' }; Call = {
                param($c)
                Get-PMCredential web01 erin -CredentialType SshKey -SshKeyType ssh-ed25519 `
                    -OutFile (Join-Path $c.Folder 'id_out') -Reason 'bad input'
            } }
        @{ Case = 'a backup written over a file'; ErrorId = 'BackupDestinationExists'; Category = 'ResourceExists'
            Prepare = { param($c) 'not to be replaced' | Set-Content -LiteralPath (Join-Path $c.Folder 'copy.db') }
            Target = { param($c) Join-Path $c.Folder 'copy.db' }
            Call = { param($c) Backup-PMVault -Destination (Join-Path $c.Folder 'copy.db') } }
        @{ Case = 'a new vault where one exists'; ErrorId = 'VaultExists'; Category = 'ResourceExists'
            Target = { param($c) $c.Vault }; Call = { param($c) New-PMVault -Path $c.Vault } }
        @{ Case = 'a folder as the private key file'; ErrorId = 'InvalidPath'; Category = 'InvalidArgument'
            Target = { param($c) $c.Folder }; Says = 'folder'; Call = {
                param($c)
                New-PMCredential -Target web01 -UserName alice SshKey -PrivateKeyPath $c.Folder -ChangeOnTarget:$false
            } }
        @{ Case = 'a private key path on another provider'; ErrorId = 'InvalidPath'; Category = 'InvalidArgument'
            Target = 'Env:PATH'; Says = 'Environment'; Call = {
                New-PMCredential -Target web01 -UserName alice SshKey -PrivateKeyPath Env:PATH -ChangeOnTarget:$false
            } }
        @{ Case = 'a public key given as the private key'; ErrorId = 'UnsupportedKeyFormat'; Category = 'InvalidData'
            Target = { param($c) $c.KeyFiles.Encrypted + '.pub' }; Call = {
                param($c)
                New-PMCredential -Target web01 -UserName alice SshKey -PrivateKeyPath ($c.KeyFiles.Encrypted + '.pub') `
                    -ChangeOnTarget:$false
            } }

        # Parameters that contradict each other.
        @{ Case = 'two new values at once'; ErrorId = 'ParameterConflict'; Category = 'InvalidArgument'
            Target = $null; Call = {
                param($c)
                $value = ConvertTo-TestSecureString $c.Secrets.TooShort
                Reset-PMCredential web01 alice -Generate -NewCredential $value -Force
            } }
        @{ Case = 'a passphrase for a key-file vault'; ErrorId = 'ParameterConflict'; Category = 'InvalidArgument'
            Target = $null; Call = {
                param($c)
                Unlock-PMVault -Path $c.Vault -Passphrase (ConvertTo-TestSecureString $c.Secrets.WrongVault)
            } }
        @{ Case = 'a passphrase too short for a new vault'; ErrorId = 'PassphraseTooShort'; Category = 'InvalidArgument'
            Target = { param($c) Join-Path $c.Folder 'second.db' }; Call = {
                param($c)
                New-PMVault -Path (Join-Path $c.Folder 'second.db') -Protection Passphrase `
                    -Passphrase (ConvertTo-TestSecureString 'short')
            } }

        # Other values that are not names, hosts or numbers PassMan can use.
        @{ Case = 'a lone surrogate in a target name'; ErrorId = 'InvalidName'; Category = 'InvalidArgument'
            Target = "web$([char]0xD800)"; Call = { New-PMTarget "web$([char]0xD800)" web02.example.test } }
        @{ Case = 'white space around a target name'; ErrorId = 'InvalidName'; Category = 'InvalidArgument'
            Target = ' web02 '; Call = { New-PMTarget ' web02 ' web02.example.test } }
        @{ Case = 'an empty target name'; ErrorId = 'ParameterArgumentValidationErrorEmptyStringNotAllowed'
            Category = 'InvalidData'; Target = $null; Call = { New-PMTarget '' web02.example.test } }
        @{ Case = 'a host name of 10,000 characters'; ErrorId = 'InvalidName'; Category = 'InvalidArgument'
            Target = ('h' * 64) + '...'; Call = { New-PMTarget web02 ('h' * 10000) } }
        @{ Case = 'a description with a NUL'; ErrorId = 'InvalidArgument'; Category = 'InvalidArgument'
            Target = 'front\0end'; Call = { New-PMTarget web02 web02.example.test -Description "front`0end" } }
        @{ Case = 'a PIN with letters'; ErrorId = 'InvalidArgument'; Category = 'InvalidArgument'
            Target = '-Value'; Call = {
                New-PMCredential -Target web01 -UserName alice Pin -Value (ConvertTo-TestSecureString '12ab')
            } }
        @{ Case = 'a negative count of audit entries'; ErrorId = 'InvalidArgument'; Category = 'InvalidArgument'
            Target = -1; Call = { Get-PMAuditLog -Last -1 } }

        # A ciphertext changed behind PassMan's back.
        @{ Case = 'a tampered ciphertext, checked out'; ErrorId = 'SecretTampered'; Category = 'SecurityError'
            Target = 'web01/alice'; Tamper = $true; Call = { Get-PMCredential web01 alice -Reason 'bad input' } }
        @{ Case = 'a tampered ciphertext, reset in the vault'; ErrorId = 'SecretTampered'; Category = 'SecurityError'
            Target = 'web01/alice'; Tamper = $true
            Call = { Reset-PMCredential web01 alice -Generate -ChangeOnTarget:$false -Force -WarningAction Ignore } }
    )) {
        $context = New-RowContext 'KeyFile'
        if ($Tamper) {
            # One bit of alice's stored password flipped, the rest of the envelope left as it was.
            $id = Invoke-VaultSql $context.Vault ("SELECT c.id FROM credentials c " +
                "JOIN accounts a ON a.id = c.account_id WHERE a.user_name = 'alice' AND c.credential_type = 'Password'")
            $hex = Invoke-VaultSql $context.Vault "SELECT hex(secret) FROM credentials WHERE id = '$id'"
            $flipped = $hex.Substring(0, 40) + ('{0:X2}' -f ([Convert]::ToByte($hex.Substring(40, 2), 16) -bxor 1)) +
                $hex.Substring(42)
            $null = Invoke-VaultSql $context.Vault "UPDATE credentials SET secret = X'$flipped' WHERE id = '$id'"
        }
        if ($Prepare) { & $Prepare $context }
        $expectedTarget = if ($Target -is [scriptblock]) { & $Target $context } else { $Target }
        $before = Get-VaultDump $context.Vault
        $files = @(Get-FolderState $context.Folder -Except 'vault.db*')

        $failure = Invoke-Refused $Call $context

        Get-ErrorId $failure | Should -BeExactly $ErrorId
        $failure.CategoryInfo.Category | Should -Be $Category
        $failure.TargetObject | Should -Be $expectedTarget
        if ($Says) { $failure.Exception.Message | Should -Match $Says }
        if ($ErrorId -cnotmatch '^(CannotConvert|ParameterArgument)') {
            $failure.Exception.GetType().FullName | Should -Be 'PassMan.PassManException'
        }
        Assert-NoSecret $failure
        Assert-OnlyAllowedChange $before (Get-VaultDump $context.Vault) $Allow $ErrorId
        @(Get-FolderState $context.Folder -Except 'vault.db*') | Should -Be $files
        if ($Login) {
            Test-SshTargetLogin $context.Target $Login.UserName -Password $secrets[$Login.Secret] | Should -BeTrue
        }
    }

    It 'a <Kind> name with <What>: InvalidName' -ForEach $nameRows {
        $context = New-RowContext 'KeyFile'
        $before = Get-VaultDump $context.Vault
        $call = switch ($Kind) {
            'target' { { param($n) New-PMTarget -Name $n -HostName web02.example.test } }
            'user' { { param($n) New-PMAccount -Target web01 -UserName $n } }
            'policy' { { param($n) New-PMPolicy -Name $n -PasswordLength 24 } }
        }

        $failure = Invoke-Refused $call $Name

        Get-ErrorId $failure | Should -BeExactly 'InvalidName'
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failure.TargetObject | Should -BeExactly $Shown
        $failure.Exception.Message | Should -Match "A $Kind name"
        Assert-NoSecret $failure
        Assert-OnlyAllowedChange $before (Get-VaultDump $context.Vault) @{} 'InvalidName'
    }
}

Describe 'Bad vault files are refused and left as they were' {
    $optional = @{ Prepare = {}; Passphrase = $null }
    It '<Case>: <ErrorId>' -ForEach (Complete-Row $optional @(
        @{ Case = 'a truncated vault'; ErrorId = 'VaultCorrupt'; Category = 'InvalidData'; Vault = 'KeyFileLocked'
            Prepare = {
                param($c)
                $stream = [IO.File]::Open($c.Vault, 'Open')
                try { $stream.SetLength(5000) } finally { $stream.Dispose() }
            } }
        @{ Case = 'a file that is not SQLite'; ErrorId = 'NotAVault'; Category = 'InvalidData'; Vault = 'None'
            Prepare = { param($c) [IO.File]::WriteAllBytes($c.Vault, [byte[]](0..4095 | ForEach-Object { $_ % 251 })) }
        }
        @{ Case = 'another application''s SQLite database'; ErrorId = 'NotAVault'; Category = 'InvalidData'
            Vault = 'None'
            Prepare = { param($c) $null = Invoke-VaultSql $c.Vault 'CREATE TABLE notes (body TEXT)' } }
        @{ Case = 'a vault of a newer format'; ErrorId = 'VaultFormatTooNew'; Category = 'InvalidData'
            Vault = 'KeyFileLocked'
            Prepare = { param($c) $null = Invoke-VaultSql $c.Vault 'PRAGMA user_version = 99' } }
        @{ Case = 'no file at the path'; ErrorId = 'VaultNotFound'; Category = 'ObjectNotFound'; Vault = 'None'
            Prepare = {} }
        @{ Case = 'a passphrase vault whose key derivation was weakened'; ErrorId = 'KdfTooWeak'
            Category = 'SecurityError'; Vault = 'Passphrase'
            Prepare = { param($c) $null = Invoke-VaultSql $c.Vault 'UPDATE vault SET kdf_iterations = 1000' } }
        @{ Case = 'a key file that is missing'; ErrorId = 'KeyFileNotFound'; Category = 'ObjectNotFound'
            Vault = 'KeyFileLocked'
            Prepare = {
                param($c)
                $null = Invoke-VaultSql $c.Vault "UPDATE vault SET key_file = '$(Join-Path $c.Folder 'gone.key')'"
            } }
        @{ Case = 'a key file others can read'; ErrorId = 'KeyFileInsecure'; Category = 'SecurityError'
            Vault = 'KeyFileLocked'
            Prepare = {
                param($c)
                $copy = Join-Path $c.Folder 'open.key'
                Copy-Item -LiteralPath $c.KeyFile -Destination $copy
                chmod 644 $copy
                $null = Invoke-VaultSql $c.Vault "UPDATE vault SET key_file = '$copy'"
            } }
        @{ Case = 'a wrong passphrase'; ErrorId = 'WrongPassphrase'; Category = 'AuthenticationError'
            Vault = 'Passphrase'; Prepare = {}; Passphrase = 'WrongVault' }
    )) {
        $context = New-RowContext $Vault
        & $Prepare $context
        $before = @(Get-FolderState $context.Folder)
        $unlock = @{ Path = $context.Vault }
        if ($Passphrase) { $unlock.Passphrase = ConvertTo-TestSecureString $secrets[$Passphrase] }
        $expectedTarget = if ($ErrorId -in 'KeyFileNotFound', 'KeyFileInsecure') {
            Invoke-VaultSql $context.Vault 'SELECT key_file FROM vault'
        }
        else { $context.Vault }

        $failure = Invoke-Refused { param($u) Unlock-PMVault @u } $unlock

        Get-ErrorId $failure | Should -BeExactly $ErrorId
        $failure.CategoryInfo.Category | Should -Be $Category
        $failure.Exception.GetType().FullName | Should -Be 'PassMan.PassManException'
        $failure.TargetObject | Should -Be $expectedTarget
        Assert-NoSecret $failure
        @(Get-FolderState $context.Folder) | Should -Be $before
        (Get-PMVault).Path | Should -Not -Be $context.Vault -Because 'the session keeps the vault it had'
    }
}

Describe 'Names with quotes, semicolons, right-to-left marks, spaces and other letters work' {
    BeforeAll {
        $script:rtl = [char]0x202E
    }

    It 'makes, lists, finds and resets <Case>' -ForEach @(
        @{ Case = 'quotes'; Name = 'o''brien "prod"' }
        @{ Case = 'semicolons and SQL'; Name = 'web; DROP TABLE targets; --' }
        @{ Case = 'a right-to-left mark'; Name = "web$([char]0x202E)10bew" }
        @{ Case = 'spaces'; Name = 'web server one' }
        @{ Case = 'non-ASCII letters'; Name = 'Zürich-ユーザー-Ωμέγα' }
    ) {
        $context = New-RowContext 'KeyFile'

        $null = New-PMTarget -Name $Name -HostName web02.example.test
        $null = New-PMPolicy -Name $Name -PasswordLength 30
        $null = New-PMAccount -Target $Name -UserName $Name -Password (ConvertTo-TestSecureString $secrets.Erin) `
            -Policy $Name
        $result = Reset-PMCredential $Name $Name -Generate -ChangeOnTarget:$false -Force -PassThru

        (Get-PMTarget).Name | Should -Contain $Name
        (Get-PMTarget -Name $Name).Name | Should -BeExactly $Name
        (Get-PMPolicy -Name $Name).AccountCount | Should -Be 1
        $account = Get-PMAccount -Target $Name -UserName $Name
        $account.UserName | Should -BeExactly $Name
        $account.Policy | Should -BeExactly $Name
        $result.Target | Should -BeExactly $Name
        $password = (Get-PMCredential $Name $Name -Reason 'bad input').GetNetworkCredential().Password
        $password.Length | Should -Be 30
        $password | Should -Not -Be $secrets.Erin
    }

    It 'resets a password on the target through a target named with all of them' {
        $context = New-RowContext 'KeyFile'
        $name = "o'brien; web $rtl Zürich"
        try {
            $null = New-PMTarget -Name $name -HostName $context.Target.Address -Port $context.Target.Port
            $null = New-PMAccount -Target $name -UserName alice -Password (ConvertTo-TestSecureString $secrets.Alice)

            $result = Reset-PMCredential $name alice -Generate -Force -PassThru

            $result.Target | Should -BeExactly $name
            $result.StatusAfter | Should -Be 'InSync'
            (Get-PMAccount -Target $name -UserName alice).Status | Should -Be 'InSync'
            $password = (Get-PMCredential $name alice -Reason 'bad input').GetNetworkCredential().Password
            Test-SshTargetLogin $context.Target alice -Password $password | Should -BeTrue
        }
        finally {
            $null = Invoke-SshTarget $context.Target 'chpasswd' -InputText "alice:$($secrets.Alice)`n"
        }
    }
}
