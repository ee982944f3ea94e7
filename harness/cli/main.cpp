// SPDX-License-Identifier: MIT
// The command line: a thin layer over the runner and the reports.
//
// Exit status (one mapping, here): 0 every case ended as expected; 1 a case failed
// unexpectedly (or an expect-fail case passed); 2 bad usage, or a case file that could not be
// loaded or evaluated; 130/143 interrupted by SIGINT/SIGTERM (common/interrupt.hpp, which exits).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <regex>

#include "cases/command_line.hpp"
#include "cases/discover.hpp"
#include "cli/derive.hpp"
#include "common/interrupt.hpp"
#include "common/printable.hpp"
#include "gradcheck/case.hpp"
#include "gradcheck/error.hpp"
#include "gradcheck/report.hpp"
#include "gradcheck/runner.hpp"

namespace {

using namespace gradcheck;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// The bundled cases/ of the source tree this gradcheck was built from; ./cases only when that
// tree is gone (an installed copy).
std::string default_cases() {
#ifdef GRADCHECK_DEFAULT_CASES
  if (std::filesystem::is_directory(GRADCHECK_DEFAULT_CASES)) return GRADCHECK_DEFAULT_CASES;
#endif
  return "cases";
}

// A seed is unsigned: "-5" would otherwise wrap around to 2^64 - 5 without a word, and a number
// past 2^64 - 1 be clamped to it.
const CLI::Validator kNonNegative(
    [](std::string& text) {
      const std::string expected = "expected an integer in [0, 18446744073709551615], got " + text;
      if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return expected;
      errno = 0;
      (void)std::strtoull(text.c_str(), nullptr, 10);
      return errno == ERANGE ? expected : std::string();
    },
    "");

// A tolerance of the command line, as a file's: a number in [0, 1) (CLI::Range would take 1).
const CLI::Validator kTolerance(
    [](std::string& text) {
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      return end && end != text.c_str() && *end == '\0' && v >= 0 && v < 1
                 ? std::string()
                 : "expected a number in [0, 1), got " + text;
    },
    "");

// CLI::PositiveNumber would print its range up to the largest double.
const CLI::Validator kPositive(
    [](std::string& text) {
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      return end && *end == '\0' && v > 0 ? std::string() : "expected a positive number, got " + text;
    },
    "");

bool is_ci() { return std::getenv("CI") != nullptr; }

// "--shard 2/4" -> index 1 (K is 1-based on the command line, as in "shard 2 of 4").
void parse_shard(const std::string& text, RunOptions& options) {
  static const std::regex form(R"((\d+)/(\d+))");
  std::smatch m;
  const std::string wanted = "--shard: expected K/N with 1 <= K <= N, e.g. 2/4, got \"" + text + "\"";
  if (!std::regex_match(text, m, form) || m[1].length() > 6 || m[2].length() > 6) throw Error("cli.usage", wanted);
  const int k = std::stoi(m[1]), n = std::stoi(m[2]);
  if (n < 1 || k < 1 || k > n) throw Error("cli.usage", wanted);
  options.shard_index = k - 1;
  options.shard_count = n;
}

// GTEST_SHARD_INDEX (0-based) and GTEST_TOTAL_SHARDS, as CI matrices set them for GoogleTest.
void shard_from_environment(RunOptions& options) {
  const char* index = std::getenv("GTEST_SHARD_INDEX");
  const char* total = std::getenv("GTEST_TOTAL_SHARDS");
  if (!index || !total) return;
  char* end = nullptr;
  const long i = std::strtol(index, &end, 10);
  const bool index_ok = end && *end == '\0';
  const long n = std::strtol(total, &end, 10);
  if (!index_ok || !end || *end != '\0' || n < 1 || i < 0 || i >= n)
    throw Error("cli.usage", fmt::format("GTEST_SHARD_INDEX={} and GTEST_TOTAL_SHARDS={} do not name a shard "
                                         "(want 0 <= index < total)", index, total));
  options.shard_index = static_cast<int>(i);
  options.shard_count = static_cast<int>(n);
}

struct Output {
  std::string report_dir = "reports";
  std::vector<std::string> formats;
  bool quiet = false, verbose = false, no_color = false, strict = false;
  std::string baseline;
  double growth_factor = 10.0;
};

// Prints the text report, writes the requested files, compares to a baseline. Returns the exit status.
int finish(const RunResult& run, const Output& out) {
  report::TextOptions text;
  text.quiet = out.quiet;
  text.verbose = out.verbose;
  text.color = !out.no_color && isatty(fileno(stdout)) && !is_ci();
  // With a baseline, the comparison goes before the closing line, which stays the last line.
  std::string comparison;
  bool regressed = false;
  if (!out.baseline.empty()) {
    report::CompareOptions options;
    options.growth_factor = out.growth_factor;
    const report::Comparison c = report::compare_run(out.baseline, run, options);
    comparison = report::comparison_text(c);
    regressed = !c.regressions.empty();
  }
  const std::string body = report::text(run, text);
  const std::size_t last = body.rfind('\n', body.size() >= 2 ? body.size() - 2 : 0);
  const std::size_t split = last == std::string::npos ? 0 : last + 1;
  std::cout << body.substr(0, split) << comparison << body.substr(split) << std::flush;
  if (!out.formats.empty()) {
    const interrupt::Deferral writing;  // SIGINT/SIGTERM now: every report is written, then exit 130/143
    report::TextOptions plain = text;
    plain.color = false;
    plain.quiet = false;  // the file is the whole report; --quiet is about the terminal
    for (const std::string& path : report::write_reports(run, out.formats, out.report_dir, plain))
      if (!out.quiet) std::cerr << "wrote " << path << "\n";
  }
  // A case that newly fails is an unexpected failure (exit 1); errors that only grew are listed
  // but, as the spec says, exit 0 when every case ended as expected (`compare` exits 1 on them).
  int status = exit_status(run.summary, out.strict);
  if (regressed && status == kExitOk) status = kExitFailed;
  return status;
}

void add_output_options(CLI::App* app, Output& out) {
  app->add_option("--report-dir", out.report_dir, "Folder for report files")->capture_default_str();
  app->add_option("--format", out.formats, "Report files to write: text json junit markdown html (repeatable)")
      ->check(CLI::IsMember({"text", "json", "junit", "markdown", "html"}))
      ->expected(1, -1)
      ->take_all()
      ->allow_extra_args();
  app->add_flag("--quiet,-q", out.quiet, "Only failing cases and the closing line");
  app->add_flag("--verbose,-v", out.verbose, "Every trial and every check in full");
  app->add_flag("--strict", out.strict, "Inconclusive checks fail the run (exit 1)");
  app->add_flag("--no-color", out.no_color, "No ANSI colours even on a terminal");
  app->add_option("--baseline", out.baseline,
                  "A JSON report to compare with: regressions, fixes and grown errors are listed; a check that "
                  "newly fails makes the exit status 1")
      ->check(CLI::ExistingFile);
  app->add_option("--growth-factor", out.growth_factor,
                  "With --baseline: a passing check whose error grew more than this factor is listed as grown")
      ->capture_default_str()
      ->check(kPositive);
}

// The problems of the paths on standard error; with `verbose`, the report files skipped.
void report_found(const FoundFiles& found, bool verbose) {
  for (const Error& e : found.problems) std::cerr << "gradcheck: error " << e.what() << "\n";
  if (verbose)
    for (const std::string& s : found.skipped)
      std::cerr << "gradcheck: skipped " << s << ": a report written by gradcheck, not a case file\n";
}

// One BLAS thread, unless the user chose (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS). A check is made
// of many small products, and OpenBLAS's idle workers spin (sched_yield) between them: on a
// 2-core machine `gradcheck run cases` took 1.33 s of wall-clock with them and 0.29 s with one
// (84,090 system calls, 83,580 of them sched_yield, against 593). gradcheck parallelises the
// entries itself (--threads). Looked up at run time: a BLAS other than OpenBLAS has no such
// function, and nothing changes then.
void one_blas_thread() {
  if (std::getenv("OPENBLAS_NUM_THREADS") || std::getenv("OMP_NUM_THREADS")) return;
  using SetThreads = void (*)(int);
  if (void* set = dlsym(RTLD_DEFAULT, "openblas_set_num_threads")) reinterpret_cast<SetThreads>(set)(1);
}

}  // namespace

int main(int argc, char** argv) {
  one_blas_thread();
  CLI::App app{"gradcheck: checks hand-derived gradients against finite differences, and says what is wrong.\n"
               "Exit status: 0 all as expected, 1 unexpected failures, 2 bad usage or a case that could not run."};
  app.set_version_flag("--version", "gradcheck 0.1.0");
  app.require_subcommand(1);

  // run
  std::vector<std::string> run_paths;
  RunOptions run_options;
  Output run_out;
  std::string shard;
  std::optional<double> rtol, atol;
  auto* run = app.add_subcommand("run", "Run every case under each PATH (default: the bundled cases/)");
  run->add_option("paths", run_paths, "Case files or folders (every *.json under them)");
  run->add_option("--filter", run_options.filter, "Only cases whose name matches (glob * ?, or a substring)");
  run->add_option("--shard", shard, "Run shard K of N (1-based), e.g. 2/4; also GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS");
  run->add_option("--jobs,-j", run_options.jobs, "Cases run in parallel (output order stays stable)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  run->add_option("--threads", run_options.threads,
                  "Threads per check: finite-difference columns in parallel (same results as 1)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  run->add_option("--seed", run_options.seed, "Seed for cases that set none")
      ->check(kNonNegative)
      ->capture_default_str();
  run->add_option("--rtol", rtol, "Relative tolerance for every case (overrides the files), in [0, 1)")
      ->check(kTolerance);
  run->add_option("--atol", atol, "Absolute tolerance for every case (overrides the files), in [0, 1)")
      ->check(kTolerance);
  // The mode of every check that sets none, and the probes of directional checks (both runs and check).
  std::string mode_name, check_mode_name = "entrywise";
  std::optional<int> probes, check_probes;
  const std::vector<std::string> mode_names = names<Mode>();
  run->add_option("--mode", mode_name, "entrywise or directional, for every check whose file sets no \"mode\"")
      ->check(CLI::IsMember(mode_names));
  run->add_option("--probes", probes, "Directional checks: random probes per trial (default: 24 per check, split over its trials)")->check(CLI::Range(1, 10000));
  run->add_flag("--allow-programs", run_options.allow_programs,
                "Run the programs that cases name (\"program:NAME\"; also GRADCHECK_ALLOW_PROGRAMS=1); without it "
                "such cases are errors");
  add_output_options(run, run_out);

  // check: the flags are kept as typed and become a case; the case loader decides what they may
  // be (cases/command_line.hpp), so that the command line and case files share one validator.
  CheckFlags flags;
  flags.seed = "42";  // the command line's own default: the same report at every call
  Output check_out;
  auto* check = app.add_subcommand("check", "Check one derivation typed on the command line, no file needed");
  check->add_option("--expr,-e", flags.expr, "The function f, e.g. \"wa' * A * B * wb\"")->required();
  check->add_option("--wrt,-w", flags.wrt, "The variable to differentiate with respect to")->required();
  check->add_option("--expected,-g", flags.expected, "Your derivative, e.g. \"A' * wa * wb'\"")->required();
  check->add_option("--var", flags.vars, "A variable: NAME=ROWSxCOLS[:INIT], e.g. A=4x3, x=n,1:positive (repeatable)")
      ->required()
      ->take_all();
  check->add_option("--dim", flags.dims, "A named size: NAME=VALUE, e.g. m=16 (repeatable)")->take_all();
  // Help lists the names of the tables (common/types.cpp), the first the default.
  auto choices = [](const std::vector<std::string>& names) {
    std::string s;
    for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n + (s.empty() ? " (the default)" : "");
    return s;
  };
  check->add_option("--layout", flags.layout, choices(names<Layout>()));
  check->add_option("--form", flags.form, choices(names<Form>()));
  check->add_option("--order", flags.order, "form vec: " + choices(names<VecOrder>()));
  check->add_option("--indices", flags.indices, "form index: e.g. \"Z[i,l] / H[j,k]\"");
  check->add_option("--trials", flags.trials, "Random points to try (default 3)");
  check->add_option("--seed", flags.seed, "Seed of the random inputs (default 42)");
  check->add_option("--rtol", flags.rtol, "Relative tolerance");
  check->add_option("--atol", flags.atol, "Absolute tolerance");
  check->add_option("--fd", flags.fd, choices(names<FdMethod>()));
  check->add_option("--step", flags.step, "Base step of the differences: auto (the default) or a number in (0, 1)");
  check->add_option("--expect", flags.expect, "pass (the default) or fail");
  check->add_option("--mode", check_mode_name, "entrywise (every entry) or directional (random probes v' J u)")
      ->check(CLI::IsMember(mode_names))
      ->capture_default_str();
  check->add_option("--probes", check_probes, "Directional: random probes per trial (default: 24 per check, split over its trials)")->check(CLI::Range(1, 10000));
  add_output_options(check, check_out);

  // lint
  std::vector<std::string> lint_paths;
  auto* lint = app.add_subcommand("lint", "Validate case files without running them: every problem, with its position");
  lint->add_option("paths", lint_paths, "Case files or folders")->required();

  // compare
  std::string baseline_path, current_path;
  double growth = 10.0;
  auto* compare = app.add_subcommand("compare", "Compare two JSON reports: regressions, fixes, errors that grew");
  compare->add_option("baseline", baseline_path, "The earlier gradcheck-report.json")->required()->check(CLI::ExistingFile);
  compare->add_option("current", current_path, "The later gradcheck-report.json")->required()->check(CLI::ExistingFile);
  compare->add_option("--growth-factor", growth, "A passing check whose error grew more than this factor is listed")
      ->capture_default_str()
      ->check(kPositive);

  // derive (harness/cli/derive.cpp)
  cli::DeriveArgs derive_args;
  auto* derive = cli::add_derive_verb(app, derive_args);

  // An unknown verb: say so plainly (CLI11 would only say that a subcommand is required).
  if (argc > 1 && argv[1][0] != '-') {
    const std::string verb = argv[1];
    if (verb != "run" && verb != "check" && verb != "lint" && verb != "compare" && verb != "derive") {
      std::cerr << "gradcheck: error [cli.usage] unknown verb \"" << verb << "\"; the verbs are run, check, lint, compare, derive\n"
                << "Run 'gradcheck --help' for usage.\n";
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "gradcheck: error [cli.usage] " << e.what() << "\n"
              << "Run 'gradcheck --help' or 'gradcheck <verb> --help' for usage.\n";
    return kExitUsage;
  }
  // Both tolerances of the command line 0: what a file may not say either (Tolerance::is_valid).
  if (std::string why; *run && rtol && atol && !Tolerance{*rtol, *atol}.is_valid(&why)) {
    std::cerr << "gradcheck: error [cli.usage] --rtol, --atol: " << why << "\n"
              << "Run 'gradcheck --help' or 'gradcheck <verb> --help' for usage.\n";
    return kExitUsage;
  }

  // SIGINT/SIGTERM: programs killed, no partial report, exit 130/143 (common/interrupt.hpp).
  if (*run || *check) interrupt::install();
  try {
    if (*run) {
      if (!shard.empty()) parse_shard(shard, run_options);
      else shard_from_environment(run_options);
      run_options.rtol = rtol;
      run_options.atol = atol;
      if (!mode_name.empty()) {
        Mode m = Mode::kEntrywise;
        parse(mode_name, &m);
        run_options.mode = m;
      }
      run_options.probes = probes;
      if (const char* allow = std::getenv("GRADCHECK_ALLOW_PROGRAMS"); allow && std::string(allow) == "1")
        run_options.allow_programs = true;
      if (run_paths.empty()) run_paths.push_back(default_cases());
      // Every bad path is named and the good files still run; the exit status is then 2.
      const FoundFiles found = discover_case_files(run_paths);
      report_found(found, run_out.verbose);
      if (found.files.empty()) return kExitUsage;
      const std::vector<std::string>& files = found.files;
      const bool show_progress = isatty(fileno(stderr)) && !is_ci() && !run_out.quiet;
      if (show_progress) {
        run_options.progress = [](std::size_t done, std::size_t total, const CaseResult& c) {
          std::fprintf(stderr, "\r\033[K[%zu/%zu] %s", done, total, printable(c.name).c_str());
          if (done == total) std::fprintf(stderr, "\r\033[K");
          std::fflush(stderr);
        };
      }
      const RunResult result = run_files(files, run_options);
      if (result.cases.empty() && !run_options.filter.empty())
        throw Error("cli.usage", fmt::format("--filter \"{}\" matches no case under the given paths", run_options.filter));
      const int status = finish(result, run_out);
      return found.problems.empty() ? status : std::max(status, kExitUsage);
    }
    if (*check) {
      const LoadedFile file = load_check_flags(flags);
      if (!file.errors.empty()) {
        for (const Error& e : file.errors) std::cerr << e.what() << "\n";
        return kExitUsage;
      }
      RunOptions check_run;
      Mode mode = Mode::kEntrywise;
      parse(check_mode_name, &mode);
      check_run.mode = mode;
      check_run.probes = check_probes;
      return finish(run_loaded({file}, check_run), check_out);
    }
    if (*derive) return cli::run_derive(derive_args);
    if (*lint) {
      const FoundFiles found = discover_case_files(lint_paths);
      report_found(found, false);
      const std::vector<std::string>& files = found.files;
      const std::vector<std::string> problems = lint_files(files);
      for (const std::string& p : problems) std::cout << p << "\n";
      const std::size_t count = problems.size() + found.problems.size();  // the paths' are on stderr
      std::cout << fmt::format("{} file{} checked, {} problem{}\n", files.size(), files.size() == 1 ? "" : "s", count,
                               count == 1 ? "" : "s");
      return count == 0 ? kExitOk : kExitUsage;
    }
    if (*compare) {
      report::CompareOptions options;
      options.growth_factor = growth;
      const report::Comparison c = report::compare_files(baseline_path, current_path, options);
      std::cout << report::comparison_text(c);
      return c.regressed() ? kExitFailed : kExitOk;
    }
  } catch (const Error& e) {
    std::cerr << "gradcheck: error " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "gradcheck: error [internal] " << e.what() << "\n";
    return kExitUsage;
  }
  return kExitUsage;
}
