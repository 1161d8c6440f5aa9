package com.example.demo;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.*;
@SpringBootApplication @RestController
public class DemoApplication {
  @GetMapping("/") public String hi() { return "hi"; }
  public static void main(String[] a) { SpringApplication.run(DemoApplication.class, a); }
}
