BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
}

Describe 'New-PMPolicy, Get-PMPolicy, Set-PMPolicy and Remove-PMPolicy' {
    BeforeEach {
        $null = New-PMVault -Path (Join-Path $TestDrive "$([guid]::NewGuid()).db")
    }

    It 'starts every vault with the Default policy' {
        $default = Get-PMPolicy Default

        $default.GetType().FullName | Should -Be 'PassMan.Model.Policy'
        $default.PasswordLength, $default.History, $default.PinLength, $default.SshKeyType, $default.RsaKeySize |
            Should -Be 20, 5, 6, 'ssh-rsa', 3072
        $default.MinUpperCase, $default.MinLowerCase, $default.MinDigit, $default.MinSpecial | Should -Be 1, 1, 1, 1
    }

    It 'creates a policy from the defaults and the parameters given' {
        $policy = New-PMPolicy -Name web -PasswordLength 32 -MinSpecial 4 -ForbiddenCharacters '"''\' `
            -SshKeyType ssh-ed25519

        $policy.PasswordLength, $policy.MinSpecial, $policy.ForbiddenCharacters, $policy.SshKeyType |
            Should -Be 32, 4, '"''\', 'ssh-ed25519'
        $policy.History | Should -Be 5
    }

    It 'refuses <Case> with InvalidPolicy naming the rule' -ForEach @(
        @{ Case = 'minimums past the length'; Parameters = @{ PasswordLength = 8; MinDigit = 9 }; Rule = 'add up' }
        @{ Case = 'every digit forbidden'; Parameters = @{ ForbiddenCharacters = '0123456789' }; Rule = 'MinDigit' }
        @{ Case = 'a 1024-bit RSA key'; Parameters = @{ RsaKeySize = 1024 }; Rule = 'RsaKeySize' }
        @{ Case = 'a 3-digit PIN'; Parameters = @{ PinLength = 3 }; Rule = 'PinLength' }
        @{ Case = 'an unknown key type'; Parameters = @{ SshKeyType = 'ssh-rsa1' }; Rule = 'SshKeyType' }
    ) {
        $failure = { New-PMPolicy -Name bad @Parameters -ErrorAction Stop } | Should -Throw -PassThru

        Get-ErrorId $failure | Should -Be 'InvalidPolicy'
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failure.Exception.Message | Should -Match $Rule
        Get-PMPolicy bad -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses a second policy of the same name in another case with PolicyExists' {
        $null = New-PMPolicy web

        { New-PMPolicy WEB -ErrorAction Stop } |
            Should -Throw -ErrorId 'PolicyExists,PassMan.Commands.NewPMPolicyCommand'
    }

    It 'lists by wildcard and takes names from accounts by their Policy property' {
        $null = New-PMPolicy web
        $null = New-PMTarget web01 web01.example.test
        $null = New-PMAccount web01 alice -Policy web

        (Get-PMPolicy).Name | Should -Be 'Default', 'web'
        (Get-PMPolicy 'W*').Name | Should -Be 'web'
        (Get-PMAccount web01 alice | Get-PMPolicy).Name | Should -Be 'web'
        (Get-PMPolicy web).AccountCount | Should -Be 1
    }

    It 'writes PolicyNotFound for a missing name and goes on with the next' {
        { Get-PMPolicy nosuch -ErrorAction Stop } |
            Should -Throw -ErrorId 'PolicyNotFound,PassMan.Commands.GetPMPolicyCommand'

        $found = Get-PMPolicy nosuch, Default -ErrorVariable failures -ErrorAction SilentlyContinue

        $found.Name | Should -Be 'Default'
        Get-ErrorId $failures[0] | Should -Be 'PolicyNotFound'
    }

    It 'changes a policy, and refuses a change that cannot be met, keeping the old settings' {
        $null = New-PMPolicy web -PasswordLength 16

        (Set-PMPolicy web -PasswordLength 24 -PassThru).PasswordLength | Should -Be 24
        { Set-PMPolicy web -PasswordLength 3 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidPolicy,PassMan.Commands.SetPMPolicyCommand'
        (Get-PMPolicy web).PasswordLength | Should -Be 24
    }

    It 'removes an unused policy, and refuses Default and a policy in use with PolicyInUse' {
        $null = New-PMPolicy web
        $null = New-PMPolicy spare
        $null = New-PMTarget web01 web01.example.test
        $null = New-PMAccount web01 alice -Policy web

        Remove-PMPolicy spare -Confirm:$false
        { Remove-PMPolicy web -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'PolicyInUse,PassMan.Commands.RemovePMPolicyCommand'
        { Remove-PMPolicy Default -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'PolicyInUse,PassMan.Commands.RemovePMPolicyCommand'
        (Get-PMPolicy).Name | Should -Be 'Default', 'web'
    }

    It 'changes and removes nothing with -WhatIf' {
        $null = New-PMPolicy web

        Set-PMPolicy web -History 10 -WhatIf
        Remove-PMPolicy web -WhatIf

        (Get-PMPolicy web).History | Should -Be 5
    }

    It 'completes policy names and SSH key types' {
        $null = New-PMPolicy webservers

        (TabExpansion2 -inputScript 'Get-PMPolicy web' -cursorColumn 16).CompletionMatches.CompletionText |
            Should -Be 'webservers'
        $line = 'New-PMPolicy x -SshKeyType ssh-e'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText |
            Should -Be 'ssh-ed25519'
    }

    It 'shows a table of the settings' {
        (Get-PMPolicy | Format-Table | Out-String) | Should -Match 'Name\s+Length\s+Upper\s+Lower\s+Digit\s+Special'
    }
}
