@echo off
rem Runs the tinygpt CLI from the packaged build (mvn -q -DskipTests package) on Windows:
rem the counterpart of bin/tinygpt. JAVA picks the java binary; TINYGPT_JAVA_OPTS adds JVM flags
rem (e.g. -Xmx8g). Not run in CI (which is Linux only); see docs/PLATFORMS.md.
setlocal
rem The checkout: this script's folder's parent, as a full path without a trailing backslash.
for %%i in ("%~dp0..") do set "TINYGPT_HOME=%%~fi"
rem A checkout at a drive's root ends in "\", which would escape the quote after it.
if "%TINYGPT_HOME:~-1%"=="\" set "TINYGPT_HOME=%TINYGPT_HOME%."
set "TINYGPT_JAR=%TINYGPT_HOME%\target\tinygpt.jar"
if not exist "%TINYGPT_JAR%" goto missing
if not exist "%TINYGPT_HOME%\target\lib\" goto missing
set "TINYGPT_JAVA=java"
if defined JAVA set "TINYGPT_JAVA=%JAVA%"
"%TINYGPT_JAVA%" %TINYGPT_JAVA_OPTS% -Dai.djl.offline=true "-Dtinygpt.home=%TINYGPT_HOME%" -cp "%TINYGPT_JAR%;%TINYGPT_HOME%\target\lib\*" dev.tinygpt.cli.Main %*
exit /b %ERRORLEVEL%

:missing
rem Delayed expansion prints a path holding "&" or ")" as it is (not above: it would eat "!" in
rem the arguments).
setlocal EnableDelayedExpansion
>&2 echo tinygpt: !TINYGPT_JAR! is missing; build it first with: mvn -q -DskipTests package
exit /b 2
