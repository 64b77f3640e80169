# SSH keys on real OpenSSH servers: rotation in authorized_keys in two phases, foreign lines kept
# byte for byte, the ownership rule, all four key types (tests/Targets starts the servers).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Targets/SshTargets.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    # keys01 is a stock Debian sshd, which refuses ssh-dss; dss01 accepts it.
    $script:keys01 = Start-SshTarget
    $script:dss01 = Start-SshTarget -SshdOption 'PubkeyAcceptedAlgorithms +ssh-dss'
    $script:targets = @{ keys01 = $keys01; dss01 = $dss01 }
    foreach ($name in $targets.Keys) {
        $null = New-SshTargetUser $targets[$name] admin 'Admin-Keys-Passw0rd' -Sudo Password
    }
    $script:userCount = 0

    function New-KeyUser([string] $TargetName, [switch] $Reconcile) {
        # A user of its own for each test: its authorized_keys starts empty and nobody else's changes.
        $script:userCount++
        $user = "key$userCount"
        $password = "Key-User-$userCount-Passw0rd"
        $null = New-SshTargetUser $targets[$TargetName] $user $password
        $parameters = @{ Password = ConvertTo-TestSecureString $password }
        if ($Reconcile) { $parameters.ReconcileAccount = 'admin' }
        $null = New-PMAccount $TargetName $user @parameters
        $user
    }

    function Get-AuthorizedKeys([string] $TargetName, [string] $User) {
        $file = "/home/$User/.ssh/authorized_keys"
        $text = Invoke-SshTarget $targets[$TargetName] "[ -e $file ] && base64 -w0 $file"
        if ($text) { [Convert]::FromBase64String($text) } else { [byte[]]@() }
    }

    function Set-AuthorizedKeys([string] $TargetName, [string] $User, [byte[]] $Bytes) {
        $file = "/home/$User/.ssh/authorized_keys"
        $command = "install -d -m 700 -o $User -g $User /home/$User/.ssh && base64 -d > $file " +
            "&& chown ${User}: $file && chmod 600 $file"
        $null = Invoke-SshTarget $targets[$TargetName] $command -InputText ([Convert]::ToBase64String($Bytes))
    }

    function Save-Key([string] $TargetName, [string] $User, [string] $KeyType) {
        $folder = Join-Path $TestDrive ([guid]::NewGuid())
        $null = New-Item -ItemType Directory $folder
        (Get-PMCredential $TargetName $User -CredentialType SshKey -SshKeyType $KeyType -OutFile $folder).FullName
    }

    function Get-Blob([string] $PublicKey) { [Convert]::FromBase64String(($PublicKey -split ' ')[1]) }

    function Get-Dump {
        Invoke-VaultSql $vaultPath 'SELECT id, public_key, status, version, pending_secret FROM credentials ORDER BY id'
    }

    function Test-Login([string] $TargetName, [string] $User, [string] $KeyPath) {
        $options = if ($TargetName -eq 'dss01') { @{ SshOption = 'PubkeyAcceptedAlgorithms=+ssh-dss' } } else { @{} }
        Test-SshTargetLogin $targets[$TargetName] $User -KeyPath $KeyPath @options
    }
}

AfterAll {
    Stop-SshTarget -All
}

Describe 'SSH keys on the target' {
    BeforeEach {
        $script:ed25519 = @{ CredentialType = 'SshKey'; SshKeyType = 'ssh-ed25519' }
        $script:vaultPath = Join-Path $TestDrive "$([guid]::NewGuid()).db"
        $null = New-PMVault -Path $vaultPath
        foreach ($name in $targets.Keys) {
            $null = New-PMTarget $name $targets[$name].Address -Port $targets[$name].Port
            $null = Test-PMTarget $name -TrustHostKey -Confirm:$false
            $null = New-PMAccount $name admin -Password (ConvertTo-TestSecureString 'Admin-Keys-Passw0rd')
        }
    }

    Context 'Rotation of each key type' {
        It 'adds, rotates and verifies an <KeyType> key: the old one refused, the new one taken by ssh -i' -ForEach @(
            @{ KeyType = 'ssh-rsa'; Target = 'keys01' }
            @{ KeyType = 'ecdsa-sha2-nistp256'; Target = 'keys01' }
            @{ KeyType = 'ssh-ed25519'; Target = 'keys01' }
            @{ KeyType = 'ssh-dss'; Target = 'dss01' }
        ) {
            $user = New-KeyUser $Target
            $null = New-PMPolicy "small-$KeyType" -RsaKeySize 2048
            Set-PMAccount $Target $user -Policy "small-$KeyType"
            Get-PMAccount $Target $user | New-PMCredential -CredentialType SshKey -SshKeyType $KeyType -Confirm:$false
            $first = Save-Key $Target $user $KeyType
            (Test-PMCredential $Target $user -CredentialType SshKey).Credentials[0].Status | Should -Be 'InSync'
            Test-Login $Target $user $first | Should -BeTrue

            $key = @{ CredentialType = 'SshKey'; SshKeyType = $KeyType }
            $result = Reset-PMCredential $Target $user @key -Generate -Force -PassThru
            $second = Save-Key $Target $user $KeyType

            $result.ChangedOnTarget, $result.StatusAfter, $result.Version | Should -Be $true, 'InSync', 2
            Test-Login $Target $user $second | Should -BeTrue
            Test-Login $Target $user $first | Should -BeFalse
            $file = [Text.Encoding]::ASCII.GetString((Get-AuthorizedKeys $Target $user))
            $lines = $file -split "`n" | Where-Object { $_ }
            $current = (Get-PMCredential $Target $user -CredentialType SshKey -SshKeyType $KeyType).PublicKey
            @($lines).Count | Should -Be 1
            ($lines -split ' ')[1] | Should -Be ($current -split ' ')[1]
        }

        It 'refuses a new ssh-dss key on a server that does not take it, and leaves the file and the vault alone' {
            $user = New-KeyUser keys01
            $hostKey = ($keys01.HostKeys | Select-Object -First 1).PublicKey
            $foreign = [Text.Encoding]::ASCII.GetBytes("# kept`n$hostKey ops`n")
            Set-AuthorizedKeys keys01 $user $foreign

            $failure = { Get-PMAccount keys01 $user |
                    New-PMCredential -CredentialType SshKey -SshKeyType ssh-dss -Confirm:$false -ErrorAction Stop } |
                Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'KeyRefused'
            $failure.Exception.Message | Should -Match 'PubkeyAcceptedAlgorithms'
            (Get-AuthorizedKeys keys01 $user) | Should -Be $foreign
            (Get-PMAccount keys01 $user).Credentials | Should -Not -Match 'ssh-dss'
        }

        It 'rolls back a rotation whose new key does not log in: the old key stays current and in the file' {
            $user = New-KeyUser keys01
            # A dss key the vault holds and the file lists, on a server that refuses dss: the new one fails too.
            $dss = @{ CredentialType = 'SshKey'; SshKeyType = 'ssh-dss' }
            Get-PMAccount keys01 $user | New-PMCredential @dss -ChangeOnTarget:$false
            $old = (Get-PMCredential keys01 $user -CredentialType SshKey -SshKeyType ssh-dss).PublicKey
            Set-AuthorizedKeys keys01 $user ([Text.Encoding]::ASCII.GetBytes("$old`n"))
            $before = Get-Dump

            { Reset-PMCredential keys01 $user @dss -Generate -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'KeyRefused,*'

            Get-Dump | Should -Be $before
            [Text.Encoding]::ASCII.GetString((Get-AuthorizedKeys keys01 $user)) | Should -Be "$old`n"
            (Get-PMAuditLog -Action CredentialResetFailed).ErrorId | Should -Be 'KeyRefused'
        }
    }

    Context 'authorized_keys editing' {
        It 'keeps every foreign line, comment, option and blank line byte for byte, and the options of its own line' {
            $user = New-KeyUser keys01
            Get-PMAccount keys01 $user | New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -Confirm:$false
            $own = (Get-PMCredential keys01 $user -CredentialType SshKey -SshKeyType ssh-ed25519).PublicKey
            $foreignKey = ($keys01.HostKeys | Where-Object Type -EQ 'ssh-ed25519').PublicKey
            $head = "# team keys`r`n`r`ncommand=`"echo 'hi, there'`",no-pty $foreignKey deploy@ci`r`n"
            $tail = "   `n#  trailing comment with `t tab`nssh-ed25519 not-base64 broken"
            $ownLine = "from=`"127.0.0.0/8`",no-agent-forwarding $own`n"
            Set-AuthorizedKeys keys01 $user ([Text.Encoding]::UTF8.GetBytes($head + $ownLine + $tail))

            $null = Reset-PMCredential keys01 $user -CredentialType SshKey -SshKeyType ssh-ed25519 -Generate -Force
            $new = (Get-PMCredential keys01 $user -CredentialType SshKey -SshKeyType ssh-ed25519).PublicKey
            $after = [Text.Encoding]::UTF8.GetString((Get-AuthorizedKeys keys01 $user))

            $after.StartsWith($head + $tail + "`n") | Should -BeTrue -Because 'foreign lines keep their bytes and order'
            $after.Substring(($head + $tail + "`n").Length) |
                Should -Be "from=`"127.0.0.0/8`",no-agent-forwarding $(($new -split ' ')[0..1] -join ' ') $((
                    $new -split ' ', 3)[2])`n"
            Test-Login keys01 $user (Save-Key keys01 $user ssh-ed25519) | Should -BeTrue
        }

        It 'creates a missing ~/.ssh with the user as owner, mode 0700, and authorized_keys with mode 0600' {
            $user = New-KeyUser keys01
            Invoke-SshTarget $keys01 "rm -rf /home/$user/.ssh" | Out-Null

            Get-PMAccount keys01 $user | New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -Confirm:$false

            Invoke-SshTarget $keys01 "stat -c '%U %a' /home/$user/.ssh /home/$user/.ssh/authorized_keys" |
                Should -Be "$user 700`n$user 600"
        }

        It 'removes a key from the target, and from the vault only with -ChangeOnTarget:$false' {
            $user = New-KeyUser keys01
            Get-PMAccount keys01 $user | New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -Confirm:$false
            Get-PMAccount keys01 $user | New-PMCredential -CredentialType SshKey -SshKeyType ssh-rsa -Confirm:$false
            $ed25519 = Save-Key keys01 $user ssh-ed25519
            $rsaKey = (Get-PMCredential keys01 $user -CredentialType SshKey -SshKeyType ssh-rsa).PublicKey

            Remove-PMCredential keys01 $user -CredentialType SshKey -SshKeyType ssh-ed25519 -Force
            Remove-PMCredential keys01 $user -CredentialType SshKey -SshKeyType ssh-rsa -ChangeOnTarget:$false -Force

            Test-Login keys01 $user $ed25519 | Should -BeFalse
            [Text.Encoding]::ASCII.GetString((Get-AuthorizedKeys keys01 $user)) | Should -Be "$rsaKey`n"
            (Get-PMAccount keys01 $user).Credentials | Should -Be 'Password'
            @(Get-PMAuditLog -Action CredentialRemoved).Count | Should -Be 2
        }

        It 'asks before removing (ConfirmImpact High) and changes nothing under -WhatIf' {
            $user = New-KeyUser keys01
            Get-PMAccount keys01 $user | New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -Confirm:$false
            $before = Get-AuthorizedKeys keys01 $user

            Remove-PMCredential keys01 $user -CredentialType SshKey -SshKeyType ssh-ed25519 -WhatIf
            { Remove-PMCredential keys01 $user -CredentialType SshKey -SshKeyType ssh-ed25519 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InteractiveInputRequired,*'

            Get-AuthorizedKeys keys01 $user | Should -Be $before
            (Get-PMAccount keys01 $user).Credentials | Should -Match 'ssh-ed25519'
        }
    }

    Context 'The ownership rule' {
        It 'repairs a root-owned ~/.ssh through the reconcile account, then rotates' {
            $user = New-KeyUser keys01 -Reconcile
            Get-PMAccount keys01 $user | New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -Confirm:$false
            $null = Invoke-SshTarget $keys01 "chown root:root /home/$user/.ssh && chmod 700 /home/$user/.ssh"

            $result = Reset-PMCredential keys01 $user @ed25519 -Generate -Force -PassThru

            $result.StatusAfter | Should -Be 'InSync'
            Invoke-SshTarget $keys01 "stat -c '%U %a' /home/$user/.ssh /home/$user/.ssh/authorized_keys" |
                Should -Be "$user 700`n$user 600"
            Test-Login keys01 $user (Save-Key keys01 $user ssh-ed25519) | Should -BeTrue
            (Get-PMAuditLog -Action CredentialReset -Last 1).Details | Should -Match 'repaired'
        }

        It 'refuses a root-owned ~/.ssh without a reconcile account, with the command that fixes it' {
            $user = New-KeyUser keys01
            Get-PMAccount keys01 $user | New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -Confirm:$false
            $null = Invoke-SshTarget $keys01 "chown root:root /home/$user/.ssh && chmod 755 /home/$user/.ssh"
            $file = Get-AuthorizedKeys keys01 $user
            $before = Get-Dump

            $failure = { Reset-PMCredential keys01 $user @ed25519 -Generate -Force -ErrorAction Stop } |
                Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'SshDirectoryOwnership'
            $failure.Exception.Message | Should -Match "belongs to root"
            $failure.Exception.Message | Should -Match ([regex]::Escape("chown ${user}: /home/$user/.ssh && chmod 700"))
            Get-AuthorizedKeys keys01 $user | Should -Be $file
            $pending = 'SELECT count(*) FROM credentials WHERE pending_secret IS NOT NULL'
            Invoke-VaultSql $vaultPath $pending | Should -Be 0
        }

        It 'refuses a group-writable home with its reason, even with a reconcile account' {
            $user = New-KeyUser keys01 -Reconcile
            Get-PMAccount keys01 $user | New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -Confirm:$false
            $null = Invoke-SshTarget $keys01 "chmod 775 /home/$user"
            try {
                $failure = { Reset-PMCredential keys01 $user -CredentialType SshKey -SshKeyType ssh-ed25519 -Generate `
                        -Force -ErrorAction Stop } | Should -Throw -PassThru

                Get-ErrorId $failure | Should -Be 'SshDirectoryOwnership'
                $failure.Exception.Message | Should -Match 'writable by group or others \(mode 0775\)'
                $failure.Exception.Message | Should -Match ([regex]::Escape("chmod go-w /home/$user"))
            }
            finally {
                $null = Invoke-SshTarget $keys01 "chmod 755 /home/$user"
            }
        }

        It 'never follows a link the user planted, even through a reconcile account: <Case>' -ForEach @(
            @{ Case = 'authorized_keys -> /etc/shadow'; Plant = 'ln -s /etc/shadow /home/USER/.ssh/authorized_keys'
                Victim = '/etc/shadow' }
            @{ Case = '~/.ssh -> /etc/ssh'; Plant = 'rm -rf /home/USER/.ssh && ln -s /etc/ssh /home/USER/.ssh'
                Victim = '/etc/ssh' }
        ) {
            $user = New-KeyUser keys01 -Reconcile
            $null = Invoke-SshTarget $keys01 ("install -d -m 700 -o $user -g $user /home/$user/.ssh && " +
                "runuser -u $user -- bash -c '$($Plant -replace 'USER', $user)'")
            $before = Invoke-SshTarget $keys01 "stat -c '%U %a' $Victim"

            $failure = { Get-PMAccount keys01 $user |
                    New-PMCredential @ed25519 -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'SshDirectoryOwnership'
            Invoke-SshTarget $keys01 "stat -c '%U %a' $Victim" | Should -Be $before
        }

        It 'changes no status under -WhatIf, even when a credential no longer logs in' {
            $user = New-KeyUser keys01
            Get-PMAccount keys01 $user | New-PMCredential @ed25519 -Confirm:$false
            $null = Invoke-SshTarget $keys01 "rm /home/$user/.ssh/authorized_keys"
            $before = Get-Dump

            Reset-PMCredential keys01 $user @ed25519 -Generate -WhatIf

            Get-Dump | Should -Be $before
        }

        It 'creates nothing on the target when Remove-PMCredential finds no line to take out' {
            $user = New-KeyUser keys01
            Get-PMAccount keys01 $user | New-PMCredential @ed25519 -ChangeOnTarget:$false
            $null = Invoke-SshTarget $keys01 "rm -rf /home/$user/.ssh"

            Remove-PMCredential keys01 $user @ed25519 -Force

            Invoke-SshTarget $keys01 "[ -e /home/$user/.ssh ] && echo there || echo absent" | Should -Be 'absent'
        }

        It 'refuses a given key that the file lists already on a line of its own, and leaves that line' {
            $user = New-KeyUser keys01
            $key = Join-Path $TestDrive "given-$([guid]::NewGuid())"
            ssh-keygen -q -t ed25519 -N '' -C given -f $key
            $line = "from=`"10.9.9.9`",command=`"/bin/false`" $(Get-Content "$key.pub")`n"
            Set-AuthorizedKeys keys01 $user ([Text.Encoding]::ASCII.GetBytes($line))

            { Get-PMAccount keys01 $user |
                    New-PMCredential @ed25519 -PrivateKeyPath $key -Confirm:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,*'
            [Text.Encoding]::ASCII.GetString((Get-AuthorizedKeys keys01 $user)) | Should -Be $line
        }

        It 'rotates through the reconcile account with -Reconcile, leaving the file owned by the user' {
            $user = New-KeyUser keys01 -Reconcile
            Get-PMAccount keys01 $user | New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -Confirm:$false

            $null = Reset-PMCredential keys01 $user @ed25519 -Generate -Reconcile -Force

            Invoke-SshTarget $keys01 "stat -c '%U %a' /home/$user/.ssh/authorized_keys" | Should -Be "$user 600"
            (Get-PMAuditLog -Action CredentialReset -Last 1).Details | Should -Match 'reconcile account admin'
            Test-Login keys01 $user (Save-Key keys01 $user ssh-ed25519) | Should -BeTrue
        }
    }
}
