// A map kept as one sorted vector.
//
// For the per-project figures by month and by year: a few dozen entries
// each, read and updated for every applied event across thousands of
// projects. A std::map there costs a cache miss per tree level and an
// allocation per new month; here a lookup is a binary search over a few
// contiguous cache lines. Inserting or erasing moves the entries after it,
// which is cheap at this size and rare (a new month), and invalidates
// references and iterators, like a std::vector.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace pipelined::model {

template <typename Key, typename Value>
class FlatMap {
 public:
  using value_type = std::pair<Key, Value>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  // The value at `key`, inserted (value-initialised) when missing.
  Value& operator[](const Key& key) {
    auto it = lower_bound(key);
    if (it == entries_.end() || key < it->first) it = entries_.insert(it, value_type(key, Value{}));
    return it->second;
  }
  // Removes the entry at `key`; returns how many were removed (0 or 1).
  std::size_t erase(const Key& key) {
    auto it = find(key);
    if (it == entries_.end()) return 0;
    entries_.erase(it);
    return 1;
  }

  iterator find(const Key& key) {
    auto it = lower_bound(key);
    return it != entries_.end() && !(key < it->first) ? it : entries_.end();
  }
  const_iterator find(const Key& key) const {
    auto it = lower_bound(key);
    return it != entries_.end() && !(key < it->first) ? it : entries_.end();
  }
  // The first entry whose key is not less than `key`.
  iterator lower_bound(const Key& key) {
    return std::lower_bound(entries_.begin(), entries_.end(), key, KeyBefore);
  }
  const_iterator lower_bound(const Key& key) const {
    return std::lower_bound(entries_.begin(), entries_.end(), key, KeyBefore);
  }
  // The first entry whose key is greater than `key`.
  iterator upper_bound(const Key& key) {
    return std::upper_bound(entries_.begin(), entries_.end(), key, KeyAfter);
  }
  const_iterator upper_bound(const Key& key) const {
    return std::upper_bound(entries_.begin(), entries_.end(), key, KeyAfter);
  }

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

  friend bool operator==(const FlatMap& a, const FlatMap& b) { return a.entries_ == b.entries_; }
  friend bool operator!=(const FlatMap& a, const FlatMap& b) { return !(a == b); }

 private:
  static bool KeyBefore(const value_type& entry, const Key& key) { return entry.first < key; }
  static bool KeyAfter(const Key& key, const value_type& entry) { return key < entry.first; }

  std::vector<value_type> entries_;  // sorted by key, keys unique
};

}  // namespace pipelined::model
