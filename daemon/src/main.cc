// pipelined: the monitoring daemon. main() only wires: flags, plan, daemon,
// and waiting for a signal to stop.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "basic_auth.h"
#include "daemon.h"
#include "flags.h"
#include "logging.h"
#include "pipelined/config/curve_certificate.h"
#include "pipelined/config/plan_loader.h"
#include "pipelined/config/settings.h"
#include "pipelined/config/web_config.h"
#include "pipelined/model/shard.h"
#include "version.h"

int main(int argc, char** argv) {
  using namespace pipelined;
  daemon::CommandLine command_line;
  int exit_code = daemon::kExitOk;
  if (!daemon::ParseCommandLine(argc, argv, &command_line, &exit_code)) return exit_code;
  if (command_line.show_version) {
    std::cout << "pipelined " << daemon::kVersion << " (revision " << daemon::kRevision << ")\n";
    return daemon::kExitOk;
  }
  if (!command_line.keygen_out.empty()) {
    std::string error;
    if (!config::WriteCurveCertificates(command_line.keygen_out, config::GenerateCurveKeyPair(), &error)) {
      std::cerr << "pipelined keygen: " << error << "\n";
      return daemon::kExitRuntimeError;
    }
    std::cout << "wrote " << command_line.keygen_out << " (public certificate) and " << command_line.keygen_out
              << "_secret (keep it private)\n";
    return daemon::kExitOk;
  }
  if (command_line.hash_password) {
    std::string password;
    std::getline(std::cin, password);
    if (password.empty()) {
      std::cerr << "pipelined hash-password: give the password on stdin (one line)\n";
      return daemon::kExitUsageOrConfigError;
    }
    if (password.size() > daemon::kBcryptMaxPasswordBytes) {
      // Refused rather than silently cut: every password with the same first
      // 72 bytes would match the hash.
      std::cerr << "pipelined hash-password: the password is longer than " << daemon::kBcryptMaxPasswordBytes
                << " bytes, bcrypt would ignore the rest\n";
      return daemon::kExitUsageOrConfigError;
    }
    auto hash = daemon::HashPassword(password, command_line.hash_cost);
    if (!hash) {
      std::cerr << "pipelined hash-password: the system's crypt library cannot make a bcrypt hash\n";
      return daemon::kExitRuntimeError;
    }
    std::cout << *hash << "\n";
    return daemon::kExitOk;
  }
  const config::Settings& settings = command_line.settings;
  daemon::SetUpLogging(settings.log_level, settings.log_format);

  config::PlanLoadResult loaded =
      settings.plan_file.empty() ? config::LoadEmbeddedPlan() : config::LoadPlanFile(settings.plan_file);
  if (!loaded.plan) {
    std::cerr << config::JoinErrors(loaded.errors);
    spdlog::error("the plan {} has {} error(s); not starting",
                  settings.plan_file.empty() ? config::kEmbeddedPlanName : settings.plan_file, loaded.errors.size());
    return daemon::kExitUsageOrConfigError;
  }
  std::vector<std::string> problems = config::CheckScopes(settings, *loaded.plan);
  for (std::string& problem : config::CheckLimits(settings, *loaded.plan)) problems.push_back(std::move(problem));
  if (!problems.empty()) {
    for (const auto& problem : problems) std::cerr << "pipelined: " << problem << "\n";
    return daemon::kExitUsageOrConfigError;
  }
  if (!settings.curve_secret_key_file.empty()) {
    std::string error;
    auto certificate = config::ReadCurveCertificate(settings.curve_secret_key_file, &error);
    if (!certificate || certificate->secret_key.empty()) {
      std::cerr << "pipelined: " << (certificate ? settings.curve_secret_key_file + " has no secret-key" : error)
                << "\n";
      return daemon::kExitUsageOrConfigError;
    }
  }
  if (!settings.web_config_file.empty()) {
    config::WebConfigLoadResult web = config::LoadWebConfigFile(settings.web_config_file);
    if (!web.errors.empty()) {
      std::cerr << config::JoinErrors(web.errors);
      return daemon::kExitUsageOrConfigError;
    }
  }
  if (command_line.check_config) {
    std::cout << "config OK: plan " << loaded.plan->code << " with " << loaded.plan->projects.size() << " projects";
    if (settings.Shard().Sharded()) {
      std::cout << ", of which shard " << settings.shard_index << " of " << settings.shard_count << " serves "
                << model::PlanForShard(*loaded.plan, settings.Shard()).projects.size();
    }
    std::cout << "\n";
    return daemon::kExitOk;
  }

  // Block the stop signals in every thread (the ones started below inherit
  // the mask) and take them synchronously here.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  try {
    const std::vector<std::string> arguments = command_line.arguments;
    daemon::Daemon pipelined_daemon(settings, std::move(*loaded.plan), [arguments](config::Settings* reloaded) {
      return daemon::ReadSettingsAgain(arguments, reloaded);
    });
    pipelined_daemon.Start();
    for (;;) {
      int signal_number = 0;
      sigwait(&signals, &signal_number);
      if (signal_number == SIGHUP) {
        pipelined_daemon.Reload("SIGHUP");  // logs and counts the result itself
        continue;
      }
      spdlog::info("{} received, shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
      break;
    }
    pipelined_daemon.Stop();
  } catch (const daemon::ConfigError& e) {
    spdlog::error("{}", e.what());
    return daemon::kExitUsageOrConfigError;
  } catch (const daemon::StorageError& e) {
    spdlog::error("{}", e.what());
    return daemon::kExitStorageError;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return daemon::kExitRuntimeError;
  }
  spdlog::info("stopped");
  return daemon::kExitOk;
}
