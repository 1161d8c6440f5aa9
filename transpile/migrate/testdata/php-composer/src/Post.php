<?php
namespace Blog;

final class Post {}
